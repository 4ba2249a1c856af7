/**
 * The NDJSON reader's fast way (see ./ndjson-reader.ts): the lines of a stream read as bytes by
 * NdjsonLines (./ndjson-lines.ts: flat objects straight from their bytes, every other line as
 * the text reader reads it), handed on as rows in chunks.
 */
import type { Buffer } from 'node:buffer';
import { BnError, readError } from '../errors.js';
import type { RecordTable } from './json-records.js';
import { NDJSON_CHUNK_ROWS, noRecords } from './ndjson-line.js';
import { NdjsonLines, RowList } from './ndjson-lines.js';
import { parseLine } from './ndjson-parse.js';
import type { Row } from './table.js';

/** The rows of each input chunk are handed on once `chunkRows` are held (1: every chunk's at once). */
export async function* readNdjsonBytes(input: AsyncIterable<Buffer>, table: RecordTable, label: string, chunkRows = NDJSON_CHUNK_ROWS): AsyncGenerator<Row[]> {
  const rows = new RowList(table);
  const lines = new NdjsonLines(table, label, rows, (text, line) => parseLine(text, line, label));
  try {
    for await (const bytes of input) {
      lines.push(bytes);
      if (rows.length >= chunkRows) yield rows.take();
    }
    lines.end();
  } catch (err) {
    // The rows before the bad line go first: a bad value on an earlier line is then the error,
    // as it is in a CSV file and in a `-j` block, whatever the chunk the bad line fell in.
    if (rows.length > 0) yield rows.take();
    throw err instanceof BnError ? err : readError(err, label);
  }
  if (rows.length > 0) yield rows.take();
  if (table.count === 0) throw noRecords(label);
}
