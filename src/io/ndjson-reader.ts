/**
 * NDJSON / JSON Lines: one JSON object or array per line (LF or CRLF), blank lines skipped, a
 * UTF-8 BOM ignored. Each line goes through JSON.parse, V8's own parser; errors name the line.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { BnError } from '../errors.js';
import { readError } from '../errors.js';
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
  let rest = '';
  const take = (text: string) => {
    line++;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0 || text.trim() === '') return; // a blank line
    rows.push(table.toRow(parseLine(text, line, label), line, undefined));
  };
  try {
    for await (const bytes of input as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(bytes);
      let start = 0;
      // `rest` holds no line break: search only the new text (a long line is not scanned twice).
      for (let end = text.indexOf('\n', rest.length); end >= 0; end = text.indexOf('\n', start)) {
        take(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
        start = end + 1;
      }
      rest = text.slice(start);
      if (rows.length >= CHUNK) {
        yield rows;
        rows = [];
      }
    }
    rest += decoder.end();
    if (rest.length > 0) take(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  } catch (err) {
    throw err instanceof BnError ? err : readError(err, label);
  }
  if (rows.length > 0) yield rows;
  if (table.count === 0) throw new BnError('BN_EMPTY_INPUT', 'no records: the input is empty or blank', { file: label });
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
