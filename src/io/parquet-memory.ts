/**
 * Where a Parquet row group's bytes go (./parquet-reader.ts): for a block that lives until the
 * next, an arena's buffers (./buffer-arena.ts says why); for one that is kept, buffers of a pool
 * that blocks give back once their caller is done with them (./buffer-pool.ts), or new ones. A
 * compressed chunk is dead once its pages are decompressed: it always goes into the arena. A
 * kept block's buffer that its column's values do not view once read (`keepOnly`: pages put
 * together or spread around nulls) goes back to the pool at once, for the next columns; not a
 * chunk read ahead (an uncompressed one is taken before any column is read), which stays the
 * block's.
 *
 * hyparquet reads a column chunk from one ArrayBuffer, viewed whole, and trusts the counts in
 * its pages: a compressed chunk goes into a buffer that may be longer (past the chunk, zeros,
 * never an earlier block's bytes: a page header there is empty and refused, compressed bytes
 * there make a page too long for its length); a decompressed page that hyparquet's readers view
 * in place into a buffer of its exact length, so that a count past it fails as on new memory.
 * An uncompressed chunk's values are views into the chunk itself: it takes an exact buffer too.
 * A page read through views bounded by the page (text, dictionary indices, fixed-width PLAIN
 * values whose count ./parquet-column.ts checks first): any longer buffer does.
 */
import type { BlockLifetime } from './columnar.js';
import { BufferArena } from './buffer-arena.js';
import { BufferPool, type PooledBuffer } from './buffer-pool.js';

/** A kept block's buffers, given back together (GroupMemory.giveBack). */
export type KeptBuffers = PooledBuffer[];

export class GroupMemory {
  private readonly arena = new BufferArena();
  /** Enough for a row group or two: what a pass keeps at once is one or two, and a group read takes from what the one before gave back. */
  private readonly pool = new BufferPool(64 << 20);
  /** The block being read lives until the next: its pages come from the arena too. */
  private untilNext = false;
  /** The buffers of the kept block being read. */
  private kept: KeptBuffers = [];

  /**
   * Runs `read` (one at a time): its compressed chunks from the arena, and the rest from the arena
   * too when its block lives `until-next`, else from the pool. Returns what `read` returns and the
   * buffers a kept block holds (for giveBack once the block is released).
   */
  async read<T>(lifetime: BlockLifetime, read: () => Promise<T>): Promise<{ value: T; kept: KeptBuffers }> {
    this.untilNext = lifetime === 'until-next';
    this.arena.reset();
    this.kept = [];
    try {
      return { value: await read(), kept: this.kept };
    } finally {
      this.untilNext = false;
      this.kept = [];
    }
  }

  /** A kept block's buffers, which no one reads any more. */
  giveBack(kept: KeptBuffers): void {
    this.pool.giveBack(kept);
  }

  /** A column chunk's `byteLength` bytes; `compressed`: its codec compresses it (else, or not known, exact). */
  chunk(byteLength: number, compressed: boolean): Uint8Array {
    // ./parquet-column.ts copies the rare page stored uncompressed in a compressed chunk.
    if (compressed) return this.arena.bytes(byteLength);
    return this.exact(byteLength);
  }

  /**
   * Room for `length` numbers of a block read with `lifetime` (asked for after its read: the
   * arena's turns go on until the next read resets them; a kept block's `kept` buffers take it).
   */
  numbers(length: number, lifetime: BlockLifetime, kept: KeptBuffers): Float64Array {
    if (lifetime === 'until-next') return new Float64Array(this.arena.exact(length * 8).buffer);
    const bytes = this.pool.atLeast(length * 8);
    kept.push({ buffer: bytes.buffer as ArrayBuffer, exact: false });
    return new Float64Array(bytes.buffer, 0, length);
  }

  /** Room for `length` doubles decoded during a read (a dictionary column's values, a chunk's pages put together). */
  doubles(length: number): Float64Array {
    // bn's own arrays, read through their views only: any buffer long enough does.
    return new Float64Array(this.page(length * 8, true).buffer, 0, length);
  }

  /** Room for `length` 32-bit integers decoded during a read (text cells' offsets). */
  int32s(length: number): Int32Array {
    return new Int32Array(this.page(length * 4, true).buffer, 0, length);
  }

  /** Bytes needed only during this read (a page's levels): the arena's, whatever the block's lifetime. */
  scratch(length: number): Uint8Array {
    return this.arena.bytes(length);
  }

  /** Room for `length` bytes of text put together during a read (a text chunk's pages, read through views bounded by them). */
  text(length: number): Uint8Array {
    return this.page(length, true);
  }

  /** Where the buffers this read hands out from now on begin, for keepOnly. */
  mark(): number {
    return this.kept.length;
  }

  /**
   * Of the buffers this read handed out since `mark`, those that none of `viewed` is go back to
   * the pool at once, for the next columns of the read: a column's pages whose values were copied
   * (joined, spread around its nulls), the offsets of text pages joined.
   */
  keepOnly(mark: number, viewed: readonly ArrayBuffer[]): void {
    const since = this.kept.splice(mark);
    this.kept.push(...since.filter((entry) => viewed.includes(entry.buffer)));
    this.pool.giveBack(since.filter((entry) => !viewed.includes(entry.buffer)));
  }

  /** A decompressed page's `byteLength` bytes; `bounded`: its reader views no more than them (a page of byte arrays). */
  page(byteLength: number, bounded = false): Uint8Array {
    if (this.untilNext) return bounded ? this.arena.bytes(byteLength) : this.arena.exact(byteLength);
    if (!bounded) return this.exact(byteLength);
    const bytes = this.pool.atLeast(byteLength);
    this.kept.push({ buffer: bytes.buffer as ArrayBuffer, exact: false });
    return bytes;
  }

  private exact(byteLength: number): Uint8Array {
    if (this.untilNext) return this.arena.exact(byteLength);
    const buffer = this.pool.exact(byteLength);
    this.kept.push({ buffer, exact: true });
    return new Uint8Array(buffer);
  }
}
