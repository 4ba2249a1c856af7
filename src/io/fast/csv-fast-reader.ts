/**
 * CSV/TSV rows through CsvScanner: the same TableSource as the general reader (../csv-reader.ts),
 * the same rows, errors and line numbers (test/io/fast/readers.test.ts compares them), at the
 * scanner's speed. This is what every command that works on rows reads CSV with (inference
 * mode, --batch-size, JSON output); `bn stats` and a whole-input `normalize` to CSV go further
 * and parse numbers straight from the bytes (../../pipeline/fast/).
 */
import type { Readable } from 'node:stream';
import { BnError } from '../../errors.js';
import { CSV_CHUNK_ROWS, CsvRecords, csvTable, type ByteCounter, type CsvOptions } from '../csv-rows.js';
import { translateError } from './scan-error.js';
import type { Row, TableSource } from '../table.js';
import { CsvScanner, CsvSyntaxError } from './csv-scanner.js';

/** Whether CsvScanner takes this delimiter: one ASCII character, not a quote or a line break. */
export function scannerTakes(delimiter: string): boolean {
  const code = delimiter.charCodeAt(0);
  return delimiter.length === 1 && code <= 0x7f && code !== 0x22 && code !== 0x0a && code !== 0x0d;
}

export function csvFastSource(input: Readable, options: CsvOptions): TableSource {
  return csvTable(options, (columns, counter) => readChunks(input, options, columns, counter));
}

async function* readChunks(input: Readable, options: CsvOptions, columns: string[], counter: ByteCounter): AsyncGenerator<Row[]> {
  const records = new CsvRecords(options.header, options.label, columns);
  let rows: Row[] = [];
  // The scanner calls back synchronously; a ragged record's error waits until the rows before
  // it are handed on, so that errors come in input order.
  let failure: unknown;
  const scanner = new CsvScanner({ delimiter: options.delimiter }, (record) => {
    if (failure !== undefined) return;
    const line = record.line;
    try {
      const cells = records.accept(record.texts(), line);
      if (cells !== undefined) rows.push({ cells, line });
    } catch (err) {
      failure = err;
    }
  });
  const handOn = function* (): Generator<Row[]> {
    for (let i = 0; i < rows.length; i += CSV_CHUNK_ROWS) yield rows.slice(i, i + CSV_CHUNK_ROWS);
    rows = [];
    if (failure !== undefined) throw failure;
  };
  try {
    for await (const data of input as AsyncIterable<Buffer>) {
      counter.bytes += data.length;
      try {
        scanner.push(data);
      } catch (err) {
        failure ??= err;
      }
      yield* handOn();
    }
    try {
      scanner.end();
    } catch (err) {
      failure ??= err;
    }
    yield* handOn();
  } catch (err) {
    throw translateError(err, options.label);
  }
  records.end();
}
