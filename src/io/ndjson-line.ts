/**
 * What both NDJSON readers (./ndjson-reader.ts) do with one line the general way: parse it
 * (./ndjson-parse.ts: JSON.parse, V8's own parser), make its row, and the errors that name the line.
 */
import { BnError } from '../errors.js';
import { MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import type { RecordTable } from './json-records.js';
import type { Row } from './table.js';

/** The value of line number `line`'s text; throws when it is no JSON. */
export type LineParser = (text: string, line: number) => unknown;

/** Rows a chunk holds at least before it is handed on (after the input chunk that fills it). */
export const NDJSON_CHUNK_ROWS = 512;

export function noRecords(label: string): BnError {
  return new BnError('BN_EMPTY_INPUT', 'no records: the input is empty or blank', { file: label });
}

/**
 * The row of line number `line` (its text without the line break), or undefined for a blank line.
 * A UTF-8 BOM at the start of the input's first line (`first`) is ignored.
 */
export function lineRow(text: string, line: number, table: RecordTable, parse: LineParser, first = line === 1): Row | undefined {
  if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0 || text.trim() === '') return undefined;
  return table.toRow(parse(text, line), line, undefined);
}

/** A line past the most bn reads (one endless line, `/dev/zero`, would otherwise fill the memory). */
export function lineTooLong(label: string, line: number): BnError {
  return new BnError('BN_MALFORMED_JSON', `a line longer than ${MAX_RECORD_BYTES >> 20} MiB, the most bn reads (a file without line breaks?)`, { file: label, line });
}
