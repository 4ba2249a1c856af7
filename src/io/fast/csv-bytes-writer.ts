/**
 * Rows to CSV/TSV bytes for the fast path: cells copied from the scanned input, numbers written
 * as text, into one large Buffer handed out whole (no write per row, no string per cell).
 *
 * The contract is the general writer's (../csv-writer.ts, csv-stringify): a cell is quoted when
 * its text holds the delimiter, a quote, a CR or an LF, with quotes doubled, and written as it
 * is otherwise. From a field's kind that is mostly a plain copy of the input's bytes:
 * - Plain: the bytes (it has none of those characters, or the scanner would say otherwise);
 * - PlainSpecial (a stray quote or a line break inside): quoted, quotes doubled;
 * - Quoted: the bytes between the quotes, with the quotes when they hold a delimiter or a line break;
 * - Escaped (`""` inside): the field as written, quotes included;
 * - Composite: its text, by the rule above.
 * The output delimiter must be the input's (a field's kind says nothing about another one).
 */
import { Buffer } from 'node:buffer';
import { FieldKind, type CsvFields } from './csv-scanner.js';
import { writeShortestNumberAt } from './shortest-number.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Room kept free for one cell's text before it is written (a number: at most 25 bytes). */
const SLACK = 64;
/** What writeShortestNumber may touch: 25 bytes of text and one of room to lay it out. */
const NUMBER_ROOM = 32;

/**
 * The field of a record that has only one field, empty (a missing cell of a one-column table):
 * `""`, as Python's csv module and pandas write it, since an empty line is a blank line to every
 * reader, bn's included. Both CSV writers (this one, ../csv-writer.ts) write it so.
 */
export const LONE_EMPTY_FIELD = '""';
const LONE_EMPTY_BYTES = Buffer.from(LONE_EMPTY_FIELD);

export class CsvBytesWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(
    readonly delimiter: number,
    private readonly capacity = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(capacity + SLACK);
  }

  /** Bytes written since the last reset(). */
  get length(): number {
    return this.pos;
  }

  /** Full enough to hand on. */
  get full(): boolean {
    return this.pos >= this.capacity;
  }

  /** What was written since the last reset(): a view of the buffer, valid until the next write. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Start over in the same buffer (once the stream is done with bytes()). */
  reset(): void {
    this.pos = 0;
  }

  /**
   * What was written since the last reset or hand-off, handed out whole, and writing goes on in
   * a second buffer: the caller writes this one out while the next fills. It is written into
   * again at the hand-off after next, so the caller must be done with it by then.
   */
  handOff(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    const next = this.spare ?? Buffer.allocUnsafe(this.buf.length);
    this.spare = this.buf;
    this.buf = next;
    this.pos = 0;
    return out;
  }

  /** The buffer handed off last (none before the first hand-off). */
  private spare: Buffer | undefined;

  delimiterByte(): void {
    this.ensure(1);
    this.buf[this.pos++] = this.delimiter;
  }

  newline(): void {
    this.ensure(1);
    this.buf[this.pos++] = LF;
  }

  /** Bytes as they are (a header line made by the general writer). */
  /** A one-column record's empty field (see LONE_EMPTY_FIELD). */
  loneEmptyField(): void {
    this.raw(LONE_EMPTY_BYTES);
  }

  raw(bytes: Uint8Array): void {
    this.copy(bytes, 0, bytes.length);
  }

  /**
   * values[index], a finite number, as String(x) writes it (no string made). Read from its array,
   * not passed as an argument: not boxed on the way (see writeShortestNumberAt).
   */
  numberAt(values: Float64Array, index: number): void {
    this.ensure(NUMBER_ROOM);
    this.pos = writeShortestNumberAt(values, index, this.buf, this.pos);
  }

  /** ASCII text that needs no quoting (a number). */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    // A number is a few dozen characters: cheaper by hand than Buffer#write's checks and dispatch.
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Field j of `record`, written back as the general writer writes its text. */
  field(record: CsvFields, j: number): void {
    const src = record.buffer;
    const start = record.start(j);
    const end = record.end(j);
    switch (record.kind(j)) {
      case FieldKind.Plain:
        this.copy(src, start, end);
        return;
      case FieldKind.Quoted:
        if (this.needsQuotes(src, start, end)) this.copy(src, start - 1, end + 1);
        else this.copy(src, start, end);
        return;
      case FieldKind.Escaped:
        this.copy(src, start - 1, end + 1);
        return;
      case FieldKind.PlainSpecial:
        this.quoted(Buffer.from(src.subarray(start, end)));
        return;
      default:
        this.text(record.text(j));
    }
  }

  /** A field's text, quoted when it must be (the general writer's rule above). */
  text(text: string): void {
    // The common text, ASCII with nothing to quote, copied by hand: no Buffer made for a cell.
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    const pos = this.pos;
    const delimiter = this.delimiter;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || c === delimiter || c === QUOTE || c === LF || c === CR) break;
      buf[pos + i] = c;
    }
    if (i === n) {
      this.pos = pos + n;
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    if (this.needsQuotes(bytes, 0, bytes.length) || bytes.includes(QUOTE)) this.quoted(bytes);
    else this.copy(bytes, 0, bytes.length);
  }

  /**
   * bytes[start, end) as a field, as text() writes the same characters, when they are ASCII
   * (copied as they are checked); false, nothing written, when one is not.
   */
  asciiField(bytes: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    const pos = this.pos - start;
    const delimiter = this.delimiter;
    let special = false;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return false;
      if (c === delimiter || c === QUOTE || c === LF || c === CR) special = true;
      buf[pos + i] = c;
    }
    if (special) this.quoted(bytes, start, end);
    else this.pos += n;
    return true;
  }

  /** `"` + bytes[start, end) with quotes doubled + `"`. */
  private quoted(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.ensure(2 * (end - start) + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c === QUOTE) buf[pos++] = QUOTE;
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  /** The bytes hold the delimiter or a line break (quotes are checked by the caller where they can occur). */
  private needsQuotes(bytes: Uint8Array, start: number, end: number): boolean {
    const delimiter = this.delimiter;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c === delimiter || c === LF || c === CR) return true;
    }
    return false;
  }

  private copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    // Cells are short: a loop beats Buffer#copy's call overhead below a few dozen bytes.
    if (n < 32) for (let i = start; i < end; i++) buf[pos++] = src[i]!;
    else pos += Buffer.from(src.buffer, src.byteOffset, src.byteLength).copy(buf, pos, start, end);
    this.pos = pos;
  }

  /** Room for `n` more bytes: a long cell grows the buffer. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n + SLACK));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
