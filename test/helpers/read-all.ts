/**
 * What a CSV reader reads, as plain data (every row's cells and line, the columns, the error):
 * for tests that hold the readers — the general one over csv-parse, the byte scanner on a
 * stream and on a file — to the same results.
 */
import { Readable } from 'node:stream';
import { csvSource } from '../../src/io/csv-reader.js';
import type { CsvOptions } from '../../src/io/csv-rows.js';
import { utf8Checked } from '../../src/io/utf8.js';
import type { BatchConsumer, ReadPass } from '../../src/pipeline/batch.js';
import { readCsvBatches } from '../../src/pipeline/fast/csv-batches.js';
import { readFileBatches } from '../../src/pipeline/fast/parallel.js';
import { FeaturePlan } from '../../src/pipeline/feature-plan.js';
import { readRowBatches } from '../../src/pipeline/row-batches.js';
import { fixedColumns } from '../../src/pipeline/select.js';
import { BnError } from '../../src/errors.js';

export interface Read {
  columns: string[];
  rows: { cells: unknown[]; line: number }[];
  error?: { code: string; message: string; location: unknown };
}

/** Every row a reader hands on, no column a feature: what it read, not what bn makes of the values. */
export async function readAll(read: ReadPass): Promise<Read> {
  const rows: Read['rows'] = [];
  let columns: string[] = [];
  const consumer: BatchConsumer = {
    records: 'keep',
    rowsBeforeError: true,
    start(shape) {
      columns = shape.columns;
      return new FeaturePlan(shape.columns, () => false, shape.label, fixedColumns([]));
    },
    batch(batch) {
      for (let i = 0; i < batch.rows; i++) {
        const row = batch.records!.row(i);
        rows.push({ cells: [...row.cells], line: row.line });
      }
    },
  };
  try {
    await read(consumer);
  } catch (err) {
    if (!(err instanceof BnError)) throw err;
    return { columns, rows, error: { code: err.code, message: err.message, location: err.location } };
  }
  return { columns, rows };
}

export function chunked(bytes: Buffer, cuts: number[]): Readable {
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  parts.push(bytes.subarray(from));
  return Readable.from(parts.filter((p) => p.length > 0), { objectMode: false });
}

/** The general reader and the scanner on a stream, fed `bytes` cut at `cuts`. */
export const both = async (bytes: Buffer, delimiter: string, header: boolean, cuts: number[] = [], extra: Partial<CsvOptions> = {}) => {
  const options = { delimiter, header, label: 'in.csv', ...extra };
  return {
    general: await readAll(async (consumer) => {
      // UTF-8 checked on the way, as every input the row readers take is (../../src/io/input.ts).
      const source = csvSource(Readable.from(utf8Checked(chunked(bytes, cuts), options.label), { objectMode: false }), options);
      return { rows: await readRowBatches(source, consumer), shape: source };
    }),
    fast: await readAll((consumer) => readCsvBatches(chunked(bytes, cuts), options, consumer, [])),
  };
};


/** The scanner on a file read by byte ranges (the reader -j uses; one thread: no consumer here has a worker step). */
export const fromFile = (path: string, options: CsvOptions): Promise<Read> => readAll((consumer) => readFileBatches(path, options, { jobs: 1, blockBytes: 16 }, consumer, []));
