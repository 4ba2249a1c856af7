/**
 * The NDJSON reader's fast way (see ./ndjson-reader.ts): lines split as bytes, with no string
 * made of the whole input, and a line that is a flat object with every column's key in column
 * order (the usual NDJSON: the keys of line 1 on every line) read from its bytes into a row
 * (./fast/flat-object-line.ts), with no JSON.parse and no object. Every other line is decoded
 * and read as the text reader reads it (ndjson-line.ts): same rows, same errors, same lines.
 *
 * The input is checked UTF-8 (../io/input.ts), so a line's bytes decode to the text the text
 * reader's StringDecoder gives for it.
 */
import { Buffer } from 'node:buffer';
import { BnError, readError } from '../errors.js';
import { MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import { keyBytes, scanFlatObject } from './fast/flat-object-line.js';
import type { RecordTable } from './json-records.js';
import { lineRow, lineTooLong, NDJSON_CHUNK_ROWS, noRecords } from './ndjson-line.js';
import type { Cell, Row } from './table.js';

const LF = 0x0a;
const CR = 0x0d;

export async function* readNdjsonBytes(input: AsyncIterable<Buffer>, table: RecordTable, label: string): AsyncGenerator<Row[]> {
  let rows: Row[] = [];
  let line = 0;
  // The keys a flat line must have: every column's, extended when a line brings a new key (a
  // key each of 20,000 lines must not cost 20,000 keys each time). A key that needs an escape
  // or is not ASCII makes every line go the general way.
  const keys: Uint8Array[] = [];
  let plain = true;
  const take = (bytes: Buffer, start: number, end: number) => {
    if (end > start && bytes[end - 1] === CR) end--;
    line++;
    // Line 1 always goes the general way: it decides objects or arrays, and may hold a BOM.
    if (table.keyed && table.count > 0) {
      const { columns } = table;
      while (plain && keys.length < columns.length) {
        const key = keyBytes(columns[keys.length]!);
        if (key === undefined) plain = false;
        else keys.push(key);
      }
      if (plain) {
        const cells: Cell[] = [];
        if (scanFlatObject(bytes, start, end, keys, cells)) {
          rows.push(table.flatObjectRow(cells, line));
          return;
        }
      }
    }
    const row = lineRow(bytes.toString('utf8', start, end), line, table, label);
    if (row) rows.push(row);
  };
  // The start of an unfinished line, in pieces (copies: a stream may reuse its buffers), joined
  // once its end comes. Its length is counted in UTF-16 units, as the text reader counts it.
  const rest: Buffer[] = [];
  const units = new Utf16Units();
  try {
    for await (const bytes of input) {
      let start = 0;
      for (let end = bytes.indexOf(LF); end >= 0; end = bytes.indexOf(LF, start)) {
        if (rest.length === 0) take(bytes, start, end);
        else {
          rest.push(bytes.subarray(start, end));
          const whole = Buffer.concat(rest);
          take(whole, 0, whole.length);
          rest.length = 0;
          units.reset();
        }
        start = end + 1;
      }
      if (start < bytes.length) {
        rest.push(Buffer.from(bytes.subarray(start)));
        if (units.add(bytes, start, bytes.length) > MAX_RECORD_BYTES) throw lineTooLong(label, line + 1);
      }
      if (rows.length >= NDJSON_CHUNK_ROWS) {
        yield rows;
        rows = [];
      }
    }
    if (rest.length > 0) {
      const last = Buffer.concat(rest);
      take(last, 0, last.length);
    }
  } catch (err) {
    throw err instanceof BnError ? err : readError(err, label);
  }
  if (rows.length > 0) yield rows;
  if (table.count === 0) throw noRecords(label);
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
