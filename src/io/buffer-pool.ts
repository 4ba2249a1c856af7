/**
 * Buffers given back by blocks that lived as long as their reader's caller wanted ('kept'
 * blocks: a normalize pass keeps a block until the batches that hold its rows are written), for
 * the next blocks to read into.
 *
 * Why: such a block's pages are its values, so they cannot come from the arena of blocks that
 * live only until the next (./buffer-arena.ts). New each time, they were new memory (about
 * 2.5 ms a MB to touch here), and they went back to the system only when the garbage collector
 * found their small wrappers, which on a heap of a few MB it seldom looks for: `normalize` of a
 * 1M-row Parquet file to CSV held 157 MB of buffers at its peak, nine row groups' worth.
 *
 * Two kinds, as the arena has: `exact(n)`, a buffer of exactly n bytes (a reader that views
 * values in place and trusts their count fails past it, as on new memory), and `atLeast(n)`, n
 * bytes viewing a buffer that may be longer (for readers bounded by their view).
 */
export class BufferPool {
  private readonly exactFree = new Map<number, ArrayBuffer[]>();
  private readonly looseFree: ArrayBuffer[] = [];
  private pooled = 0;

  /** At most `limit` bytes are kept for reuse; buffers given back beyond that are left to the collector. */
  constructor(private readonly limit: number) {}

  /** A buffer of exactly `byteLength` bytes (contents undefined). */
  exact(byteLength: number): ArrayBuffer {
    const buffer = this.exactFree.get(byteLength)?.pop();
    if (buffer === undefined) return new ArrayBuffer(byteLength);
    this.pooled -= byteLength;
    return buffer;
  }

  /** `byteLength` bytes (contents undefined) of a buffer no more than twice as long. */
  atLeast(byteLength: number): Uint8Array {
    const free = this.looseFree;
    for (let k = free.length - 1; k >= 0; k--) {
      const buffer = free[k]!;
      if (buffer.byteLength >= byteLength && buffer.byteLength <= 2 * byteLength) {
        free.splice(k, 1);
        this.pooled -= buffer.byteLength;
        return new Uint8Array(buffer, 0, byteLength);
      }
    }
    // An eighth more: the next block's page of the same column is often a little longer.
    return new Uint8Array(new ArrayBuffer(byteLength + (byteLength >>> 3)), 0, byteLength);
  }

  /** Buffers handed out by exact or atLeast whose contents no one will read again. */
  giveBack(buffers: readonly { buffer: ArrayBuffer; exact: boolean }[]): void {
    for (const { buffer, exact } of buffers) {
      if (this.pooled + buffer.byteLength > this.limit) continue;
      this.pooled += buffer.byteLength;
      if (!exact) this.looseFree.push(buffer);
      else {
        const free = this.exactFree.get(buffer.byteLength);
        if (free) free.push(buffer);
        else this.exactFree.set(buffer.byteLength, [buffer]);
      }
    }
  }
}
