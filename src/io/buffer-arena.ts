/**
 * Buffers handed out again and again: a reader whose blocks are dropped before the next is read
 * (a statistics pass) takes the bytes of each block from here instead of allocating them.
 *
 * Why: on these machines the first write to freshly allocated memory costs about 2.5 ms a MB
 * (the kernel maps and zeroes each page: measured, 80 MB copied into new arrays took 200 ms of
 * CPU, into reused ones 8 ms). A Parquet row group allocates its compressed column chunks and
 * their decompressed pages anew, so reading the bench's 64 MB file touched about 145 MB of new
 * memory. Memory given back to the system is fresh again when it is reused, which is what the
 * allocator does with large blocks between garbage collections; memory kept here is not.
 *
 * Two kinds of buffer, both plain ArrayBuffers (typed arrays on a resizable ArrayBuffer, which
 * could be cut to any length, are slower in Node 20: snappy decoding took 1.6× the time):
 * - `bytes(n)`: n bytes viewing a buffer that may be longer; the rest of that buffer is zeros,
 *   so a reader that strays past the n bytes finds no stale data of an earlier block.
 * - `exact(n)`: n bytes that are their whole buffer, so a reader that strays past them fails,
 *   as it would on new memory; reused when the buffer of the same turn (since the reset) had the
 *   same length, the common case (a file's pages hold the same number of values).
 */
export class BufferArena {
  private readonly loose = new Turns();
  private readonly whole = new Turns();

  /** Every buffer handed out so far may be handed out again: what was read from them is dropped. */
  reset(): void {
    this.loose.reset();
    this.whole.reset();
  }

  /** `byteLength` bytes (contents undefined) of a buffer whose rest is zeros; not handed out again before the next reset. */
  bytes(byteLength: number): Uint8Array {
    let buffer = this.loose.next();
    if (buffer === undefined || buffer.byteLength < byteLength) {
      buffer = this.loose.replace(new ArrayBuffer(withRoom(byteLength)));
    } else {
      // Zeros again past byteLength: only what the last turn's bytes covered there can be stale.
      const stale = this.loose.handedLength();
      if (stale > byteLength) new Uint8Array(buffer, byteLength, stale - byteLength).fill(0);
    }
    this.loose.handed(byteLength);
    return new Uint8Array(buffer, 0, byteLength);
  }

  /** `byteLength` bytes (contents undefined) that are their whole buffer; not handed out again before the next reset. */
  exact(byteLength: number): Uint8Array {
    let buffer = this.whole.next();
    if (buffer === undefined || buffer.byteLength !== byteLength) buffer = this.whole.replace(new ArrayBuffer(byteLength));
    return new Uint8Array(buffer);
  }
}

/**
 * The length of a new buffer for `byteLength` bytes that may be asked again a little longer: an
 * eighth more. A column's chunks and pages differ in length from one row group to the next, and
 * each longer one took a new buffer (27 of the bench's 100 chunks), new memory.
 */
export function withRoom(byteLength: number): number {
  return byteLength + (byteLength >>> 3);
}

/** Buffers in the order they were handed out since the last reset. */
class Turns {
  private readonly buffers: ArrayBuffer[] = [];
  /** How many bytes of each buffer were handed out in its last turn (its bytes past that are zeros). */
  private readonly lengths: number[] = [];
  private turn = 0;

  reset(): void {
    this.turn = 0;
  }

  /** This turn's buffer from an earlier round, if any; the turn is taken. */
  next(): ArrayBuffer | undefined {
    return this.buffers[this.turn++];
  }

  /** The buffer of the turn just taken, from now on. */
  replace(buffer: ArrayBuffer): ArrayBuffer {
    this.buffers[this.turn - 1] = buffer;
    this.lengths[this.turn - 1] = 0;
    return buffer;
  }

  /** The bytes of the turn just taken's buffer handed out in its last turn. */
  handedLength(): number {
    return this.lengths[this.turn - 1] ?? 0;
  }

  /** The turn just taken hands out the first `byteLength` bytes of its buffer. */
  handed(byteLength: number): void {
    this.lengths[this.turn - 1] = byteLength;
  }
}
