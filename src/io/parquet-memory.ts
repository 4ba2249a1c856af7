/**
 * Where a Parquet row group's bytes go (./parquet-reader.ts): new memory for a block that may be
 * kept, an arena's buffers for one that lives until the next (./buffer-arena.ts says why).
 *
 * hyparquet reads a column chunk from one ArrayBuffer, viewed whole, and trusts the counts in
 * its pages: a compressed chunk goes into a buffer that may be longer (past the chunk, zeros,
 * never an earlier block's bytes: a page header there is empty and refused, compressed bytes
 * there make a page too long for its length); a decompressed page, whose values hyparquet views
 * in place, into a buffer of its exact length, so that a count past it fails as on new memory.
 * An uncompressed chunk's values are views into the chunk itself: it takes an exact buffer too.
 */
import type { BlockLifetime } from './columnar.js';
import { BufferArena } from './buffer-arena.js';

export class GroupMemory {
  private readonly arena = new BufferArena();
  private reusing = false;

  /** Runs `read` (one at a time), its bytes from the arena when its block lives `until-next`. */
  async read<T>(lifetime: BlockLifetime, read: () => Promise<T>): Promise<T> {
    this.reusing = lifetime === 'until-next';
    if (this.reusing) this.arena.reset();
    try {
      return await read();
    } finally {
      this.reusing = false;
    }
  }

  /** A column chunk's `byteLength` bytes; `compressed`: its codec compresses it (else, or not known, exact). */
  chunk(byteLength: number, compressed: boolean): Uint8Array {
    if (!this.reusing) return new Uint8Array(byteLength);
    return compressed ? this.arena.bytes(byteLength) : this.arena.exact(byteLength);
  }

  /**
   * Room for `length` numbers of a block read with `lifetime` (asked for after its read: the
   * arena's turns go on until the next read resets them).
   */
  numbers(length: number, lifetime: BlockLifetime): Float64Array {
    return lifetime === 'until-next' ? new Float64Array(this.arena.exact(length * 8).buffer) : new Float64Array(length);
  }

  /** Room for `length` doubles decoded during a read (a dictionary column's values, a chunk's pages put together). */
  doubles(length: number): Float64Array {
    return this.reusing ? new Float64Array(this.arena.exact(length * 8).buffer) : new Float64Array(length);
  }

  /** A decompressed page's `byteLength` bytes. */
  page(byteLength: number): Uint8Array {
    return this.reusing ? this.arena.exact(byteLength) : new Uint8Array(byteLength);
  }
}
