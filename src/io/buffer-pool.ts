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
 * A pool holds a row group's buffers or two (its pages, text offsets, doubles: dozens to a few
 * hundred): a linear search finds one. Two kinds,
 * as the arena has: `exact(n)`, a buffer of exactly n bytes (a reader that views values in place
 * and trusts their count fails past it, as on new memory), and `atLeast(n)`, n bytes viewing a
 * buffer that may be longer (for readers bounded by their view).
 */
import { withRoom } from './buffer-arena.js';

/** A buffer handed out by a pool, and whether it was an exact one. */
export interface PooledBuffer {
  buffer: ArrayBuffer;
  exact: boolean;
}

export class BufferPool {
  /** Buffers given back, oldest first: beyond the limit, the oldest are left to the collector. */
  private readonly free: PooledBuffer[] = [];
  private pooled = 0;

  /** At most `limit` bytes are kept for reuse. */
  constructor(private readonly limit: number) {}

  /** A buffer of exactly `byteLength` bytes (contents undefined). */
  exact(byteLength: number): ArrayBuffer {
    const k = this.find((entry) => entry.exact && entry.buffer.byteLength === byteLength);
    return k >= 0 ? this.take(k) : new ArrayBuffer(byteLength);
  }

  /** `byteLength` bytes (contents undefined) of a buffer no more than twice as long. */
  atLeast(byteLength: number): Uint8Array {
    const k = this.find((entry) => !entry.exact && entry.buffer.byteLength >= byteLength && entry.buffer.byteLength <= 2 * byteLength);
    // Room to spare in a new one: the next block's page of the same column is often a little longer.
    return new Uint8Array(k >= 0 ? this.take(k) : new ArrayBuffer(withRoom(byteLength)), 0, byteLength);
  }

  /** Buffers handed out by exact or atLeast whose contents no one will read again. */
  giveBack(buffers: readonly PooledBuffer[]): void {
    for (const entry of buffers) {
      this.free.push(entry);
      this.pooled += entry.buffer.byteLength;
    }
    // Sizes that no longer come up (a short last row group) must not hold the room of those that do.
    while (this.pooled > this.limit) this.pooled -= this.free.shift()!.buffer.byteLength;
  }

  /** The newest buffer given back that `fits`, or −1. */
  private find(fits: (entry: PooledBuffer) => boolean): number {
    for (let k = this.free.length - 1; k >= 0; k--) if (fits(this.free[k]!)) return k;
    return -1;
  }

  private take(k: number): ArrayBuffer {
    const [{ buffer }] = this.free.splice(k, 1) as [PooledBuffer];
    this.pooled -= buffer.byteLength;
    return buffer;
  }
}
