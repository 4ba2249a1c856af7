/**
 * NDJSON / JSON Lines: one JSON object or array per line (LF or CRLF), blank lines skipped, a
 * UTF-8 BOM ignored. Each line goes through JSON.parse, V8's own parser; errors name the line.
 * With `fast`, lines are split as bytes and a flat object with the keys of the records so far
 * is read from its bytes (./ndjson-bytes.ts); this text reader is the reference it is tested
 * against (BN_NO_FAST=1).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { BnError } from '../errors.js';
import { readError } from '../errors.js';
import { MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import { recordSource, type RecordTable } from './json-records.js';
import { readNdjsonBytes } from './ndjson-bytes.js';
import { lineRow, lineTooLong, NDJSON_CHUNK_ROWS, noRecords } from './ndjson-line.js';
import { parseLine } from './ndjson-parse.js';
import type { Row, TableSource } from './table.js';

/** `eager`: each input chunk's rows handed on at once (a live stream); else in chunks of NDJSON_CHUNK_ROWS at least. */
export function ndjsonSource(input: Readable, label: string, fast = false, eager = false): TableSource {
  const chunkRows = eager ? 1 : NDJSON_CHUNK_ROWS;
  return recordSource('ndjson', label, (table) =>
    fast ? readNdjsonBytes(input as AsyncIterable<Buffer>, table, label, chunkRows) : readNdjson(input, table, label, chunkRows),
  );
}

async function* readNdjson(input: Readable, table: RecordTable, label: string, chunkRows: number): AsyncGenerator<Row[]> {
  const decoder = new StringDecoder('utf8');
  let rows: Row[] = [];
  let line = 0;
  const take = (text: string) => {
    const row = lineRow(text, ++line, table, (json, at) => parseLine(json, at, label));
    if (row) rows.push(row);
  };
  // The start of an unfinished line, in pieces: joined once, when its end comes. Adding each
  // chunk to one string would make every search for a line break flatten all of it again, and
  // a line of 50 MB cost minutes.
  const rest: string[] = [];
  let restLength = 0;
  const takeLine = (text: string) => take(text.endsWith('\r') ? text.slice(0, -1) : text);
  try {
    for await (const bytes of input as AsyncIterable<Buffer>) {
      const text = decoder.write(bytes);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        if (rest.length === 0) takeLine(text.slice(start, end));
        else {
          rest.push(text.slice(start, end));
          takeLine(rest.join(''));
          rest.length = 0;
          restLength = 0;
        }
        start = end + 1;
      }
      if (start < text.length) {
        rest.push(text.slice(start));
        restLength += text.length - start;
        if (restLength > MAX_RECORD_BYTES) throw lineTooLong(label, line + 1);
      }
      if (rows.length >= chunkRows) {
        yield rows;
        rows = [];
      }
    }
    rest.push(decoder.end());
    const last = rest.join('');
    if (last.length > 0) takeLine(last);
  } catch (err) {
    // The rows before the bad line go first (as ./ndjson-bytes.ts does): errors in input order.
    if (rows.length > 0) yield rows;
    throw err instanceof BnError ? err : readError(err, label);
  }
  if (rows.length > 0) yield rows;
  if (table.count === 0) throw noRecords(label);
}
