/**
 * NDJSON lines read as bytes, with no string made of the whole input: a line that is a flat
 * object with every column's key in column order (the usual NDJSON: the keys of line 1 on every
 * line) is read from its bytes (./fast/flat-object-line.ts), with no JSON.parse and no object;
 * every other line is decoded and read as the text reader reads it (./ndjson-line.ts): same
 * rows, same errors, same lines. What one thread reads a stream with (./ndjson-bytes.ts), and
 * what a `-j` pass reads its head and its blocks with (../pipeline/fast/ndjson-parallel.ts).
 *
 * The input is checked UTF-8 (./input.ts), so a line's bytes decode to the text the text
 * reader's StringDecoder gives for it.
 */
import { Buffer } from 'node:buffer';
import { MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import { keyBytes, scanFlatObject } from './fast/flat-object-line.js';
import type { RecordTable } from './json-records.js';
import { lineRow, lineTooLong, type LineParser } from './ndjson-line.js';
import type { Cell, Row } from './table.js';

const LF = 0x0a;
const CR = 0x0d;

/** Where NdjsonLines puts the records of the lines it reads, in order. */
export interface LineSink {
  /** The array a line's cells are read into, when it may be a flat object: a new one for a row to keep, or one used again. */
  cells(): Cell[];
  /** A flat object with every column's key in column order (cells filled by the scanner, in the array `cells` gave). */
  flat(cells: Cell[], line: number): void;
  /** Any other record (a line read through JSON.parse). */
  row(row: Row): void;
}

/** The rows of the lines read, as a row reader hands them on. */
export class RowList implements LineSink {
  private rows: Row[] = [];

  constructor(private readonly table: RecordTable) {}

  get length(): number {
    return this.rows.length;
  }

  /** The rows so far, handed over (the list starts again empty). */
  take(): Row[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  cells(): Cell[] {
    return [];
  }

  flat(cells: Cell[], line: number): void {
    this.rows.push(this.table.flatObjectRow(cells, line));
  }

  row(row: Row): void {
    this.rows.push(row);
  }
}

/** NDJSON bytes pushed in order → the records of their lines, into a LineSink. */
export class NdjsonLines {
  /** Lines taken so far, blank ones included, counted from firstLine. */
  private line: number;
  /** A line 1 may start with a BOM (only the input's own line 1). */
  private readonly bomLine: number;
  // The keys a flat line must have: every column's, extended when a line brings a new key (a
  // key each of 20,000 lines must not cost 20,000 keys each time). A key that needs an escape
  // or is not ASCII makes every line go the general way.
  private readonly keys: Uint8Array[] = [];
  private plain = true;
  // The start of an unfinished line, in pieces (copies: a stream may reuse its buffers), joined
  // once its end comes. Its length is counted in UTF-16 units, as the text reader counts it.
  private readonly rest: Buffer[] = [];
  private readonly units = new Utf16Units();

  /**
   * @param parse what reads a line that is no flat object (JSON.parse, and the error of a line it refuses)
   * @param firstLine the number of the first line pushed: 1 at the input's start
   * @param longLine a line of more than `bytes` is given to `take` (which throws) before any text
   *   of it is made: a worker's small heap hands such a line to the main thread
   */
  constructor(
    private readonly table: RecordTable,
    private readonly label: string,
    private readonly sink: LineSink,
    private readonly parse: LineParser,
    firstLine = 1,
    private readonly longLine?: { bytes: number; take: (line: number) => never },
  ) {
    this.line = firstLine - 1;
    this.bomLine = firstLine === 1 ? 1 : 0;
  }

  /** The number of the line after the last one taken. */
  get nextLine(): number {
    return this.line + 1;
  }

  push(bytes: Buffer): void {
    const { rest } = this;
    let start = 0;
    for (let end = bytes.indexOf(LF); end >= 0; end = bytes.indexOf(LF, start)) {
      if (rest.length === 0) this.takeLine(bytes, start, end);
      else {
        rest.push(bytes.subarray(start, end));
        const whole = Buffer.concat(rest);
        rest.length = 0;
        this.units.reset();
        this.takeLine(whole, 0, whole.length);
      }
      start = end + 1;
    }
    if (start < bytes.length) {
      rest.push(Buffer.from(bytes.subarray(start)));
      if (this.units.add(bytes, start, bytes.length) > MAX_RECORD_BYTES) throw lineTooLong(this.label, this.line + 1);
    }
  }

  /** The input has ended: its last line, if it has no line break. */
  end(): void {
    if (this.rest.length === 0) return;
    const last = Buffer.concat(this.rest);
    this.rest.length = 0;
    this.units.reset();
    this.takeLine(last, 0, last.length);
  }

  private takeLine(bytes: Buffer, start: number, end: number): void {
    const { table, keys } = this;
    if (end > start && bytes[end - 1] === CR) end--;
    const line = ++this.line;
    if (this.longLine && end - start > this.longLine.bytes) this.longLine.take(line);
    // The input's first record always goes the general way: it decides objects or arrays, and
    // line 1 may hold a BOM.
    if (table.keyed) {
      const { columns } = table;
      while (this.plain && keys.length < columns.length) {
        const key = keyBytes(columns[keys.length]!);
        if (key === undefined) this.plain = false;
        else keys.push(key);
      }
      if (this.plain) {
        const cells = this.sink.cells();
        if (scanFlatObject(bytes, start, end, keys, cells)) {
          this.sink.flat(cells, line);
          return;
        }
      }
    }
    const row = lineRow(bytes.toString('utf8', start, end), line, table, this.parse, line === this.bomLine);
    if (row) this.sink.row(row);
  }
}

/**
 * The UTF-16 length of the characters completed so far in a stream of UTF-8 bytes (a character
 * counts when its last byte arrives, as a StringDecoder emits it). The bytes are valid UTF-8.
 */
class Utf16Units {
  private count = 0;
  /** Continuation bytes the current character still needs. */
  private need = 0;
  /** Units of the current character: 2 for a 4-byte one (a surrogate pair), 1 otherwise. */
  private width = 1;

  reset(): void {
    this.count = 0;
    this.need = 0;
  }

  add(bytes: Uint8Array, start: number, end: number): number {
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c < 0x80) this.count++;
      else if (c < 0xc0) {
        if (--this.need === 0) this.count += this.width;
      } else {
        this.need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
        this.width = this.need === 3 ? 2 : 1;
      }
    }
    return this.count;
  }
}
