/**
 * A column of text cells kept as the UTF-8 bytes they were read as (a Parquet text column's
 * pages), each made a string only when asked for, and copied as bytes into CSV output.
 *
 * Why: a row group of a text-heavy file holds hundreds of thousands of cells, all alive until
 * the group is written; as strings each is a heap object that survives two young-generation
 * collections and is copied both times, then waits for a full collection. Measured on a 1M-row
 * DuckDB file with five text columns, `normalize` to CSV spent 0.85 s of its 4.1 s collecting
 * garbage and peaked at 290 MB. Kept as bytes, a page is one buffer.
 */
import { Buffer } from 'node:buffer';

/** Where cells put together go (new arrays by default; a reader may hand out memory it reuses). */
export interface TextRoom {
  int32s(length: number): Int32Array;
  bytes(length: number): Uint8Array;
}

export const NEW_ARRAYS: TextRoom = { int32s: (length) => new Int32Array(length), bytes: (length) => new Uint8Array(length) };

/** One decoder for every bytes cell (a BYTE_ARRAY without a UTF8 annotation, Arrow Binary) and Parquet text. */
export const UTF8 = new TextDecoder();

/** Where text bytes can be written as a field (a CSV writer): false, nothing written, when they are not ASCII. */
export interface AsciiFieldSink {
  asciiField(bytes: Uint8Array, start: number, end: number): boolean;
}

/**
 * Cell i is bytes[starts[i], ends[i]), or null where starts[i] is −1. Cells may share bytes (a
 * dictionary's entries) and be in any order.
 */
export class TextCells {
  /** The bytes as a Buffer, for its latin1 decoding (one byte a character, no checks). */
  private readonly buffer: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
  ) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.starts.length;
  }

  /**
   * Cell i as a string, as TextDecoder decodes it (a malformed sequence becomes U+FFFD, a leading
   * byte order mark is dropped): ASCII straight from the bytes, anything else through the decoder.
   */
  text(i: number): string | null {
    const start = this.starts[i]!;
    if (start < 0) return null;
    const end = this.ends[i]!;
    const bytes = this.bytes;
    for (let k = start; k < end; k++) if (bytes[k]! >= 0x80) return UTF8.decode(bytes.subarray(start, end));
    return this.buffer.toString('latin1', start, end);
  }

  /** Cell i written into `out` as its bytes, when it is ASCII text of at least one character (else false: write its text). */
  writeAscii(i: number, out: AsciiFieldSink): boolean {
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    return start >= 0 && end > start && out.asciiField(this.bytes, start, end);
  }

  toArray(): (string | null)[] {
    return Array.from({ length: this.length }, (_, i) => this.text(i));
  }

  /** The first `length` cells. */
  slice(length: number): TextCells {
    return new TextCells(this.bytes, this.starts.slice(0, length), this.ends.slice(0, length));
  }

  /** `count` cells: these, in order, where `levels` say a value is there (levels[i] === present), null elsewhere. */
  spread(levels: ArrayLike<number>, present: number, count: number, room: TextRoom = NEW_ARRAYS): TextCells {
    const starts = room.int32s(count).fill(-1);
    const ends = room.int32s(count);
    let next = 0;
    for (let i = 0; i < count; i++) {
      if (levels[i] !== present) continue;
      if (next === this.length) throw new Error(`a page of ${this.length} values has more defined`);
      starts[i] = this.starts[next]!;
      ends[i] = this.ends[next++]!;
    }
    if (next !== this.length) throw new Error(`a page of ${this.length} values has ${next} defined`);
    return new TextCells(this.bytes, starts, ends);
  }

  /**
   * `parts` one after the other, on one buffer: when they all view one already (pages decompressed
   * one after the other into one buffer, an uncompressed chunk's pages, a dictionary's), that
   * buffer, uncopied; else each distinct buffer of theirs copied into a new one once.
   */
  static join(parts: readonly TextCells[], room: TextRoom = NEW_ARRAYS): TextCells {
    const length = parts.reduce((n, part) => n + part.length, 0);
    const starts = room.int32s(length);
    const ends = room.int32s(length);
    // Where each part's bytes begin in the joined ones.
    const bases = new Map<Uint8Array, number>();
    let bytes: Uint8Array;
    // Parts of no bytes (all their cells null or empty: a page of nulls) view nothing, and go anywhere.
    const viewing = parts.filter((part) => part.bytes.byteLength > 0);
    const shared = viewing[0]?.bytes.buffer;
    if (shared !== undefined && viewing.every((part) => part.bytes.buffer === shared)) {
      let from = Infinity;
      let to = 0;
      for (const { bytes } of viewing) {
        from = Math.min(from, bytes.byteOffset);
        to = Math.max(to, bytes.byteOffset + bytes.byteLength);
      }
      bytes = new Uint8Array(shared, from, to - from);
      for (const part of parts) bases.set(part.bytes, part.bytes.byteLength > 0 ? part.bytes.byteOffset - from : 0);
    } else {
      let size = 0;
      for (const part of parts) {
        if (bases.has(part.bytes)) continue;
        bases.set(part.bytes, size);
        size += part.bytes.length;
      }
      // Offsets are 32-bit: past 2 GiB a cell's would wrap around.
      if (size >= 2 ** 31) throw new Error(`text of ${size} bytes in one column chunk (bn reads at most 2 GiB)`);
      bytes = room.bytes(size);
      for (const [part, base] of bases) bytes.set(part, base);
    }
    let at = 0;
    for (const part of parts) {
      const base = bases.get(part.bytes)!;
      for (let i = 0; i < part.length; i++) {
        const start = part.starts[i]!;
        starts[at] = start < 0 ? -1 : start + base;
        ends[at++] = part.ends[i]! + base;
      }
    }
    return new TextCells(bytes, starts, ends);
  }

}
