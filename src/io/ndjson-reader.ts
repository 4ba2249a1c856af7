/**
 * NDJSON / JSON Lines: one JSON object or array per line (LF or CRLF), blank lines skipped, a
 * UTF-8 BOM ignored. Each line goes through JSON.parse, V8's own parser; errors name the line.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { BnError } from '../errors.js';
import { readError } from '../errors.js';
import { MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import { diagnoseJson } from './json-reader.js';
import { recordSource, type RecordTable } from './json-records.js';
import type { Row, TableSource } from './table.js';

const CHUNK = 512;

export function ndjsonSource(input: Readable, label: string): TableSource {
  return recordSource('ndjson', label, (table) => readNdjson(input, table, label));
}

async function* readNdjson(input: Readable, table: RecordTable, label: string): AsyncGenerator<Row[]> {
  const decoder = new StringDecoder('utf8');
  let rows: Row[] = [];
  let line = 0;
  const take = (text: string) => {
    line++;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0 || text.trim() === '') return; // a blank line
    rows.push(table.toRow(parseLine(text, line, label), line, undefined));
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
      if (rows.length >= CHUNK) {
        yield rows;
        rows = [];
      }
    }
    rest.push(decoder.end());
    const last = rest.join('');
    if (last.length > 0) takeLine(last);
  } catch (err) {
    throw err instanceof BnError ? err : readError(err, label);
  }
  if (rows.length > 0) yield rows;
  if (table.count === 0) throw new BnError('BN_EMPTY_INPUT', 'no records: the input is empty or blank', { file: label });
}

/** A line past the most bn reads (one endless line, `/dev/zero`, would otherwise fill the memory). */
function lineTooLong(label: string, line: number): BnError {
  return new BnError('BN_MALFORMED_JSON', `a line longer than ${MAX_RECORD_BYTES >> 20} MiB, the most bn reads (a file without line breaks?)`, { file: label, line });
}

function parseLine(text: string, line: number, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // V8's messages differ between Node versions and often name no position: ask the streaming
    // parser where and why (this runs once, on the line that fails).
    const { index, what } = diagnoseJson(text);
    const where = index === undefined ? { file: label, line } : { file: label, line, column: index + 1 };
    throw new BnError('BN_MALFORMED_JSON', `invalid JSON: ${what}`, where);
  }
}
