/**
 * A batch of scanned CSV records back as CSV bytes, feature cells replaced by their values: the
 * part of writing that the main thread (./../batch-writers.ts) and the workers (./block-task.ts)
 * share. Its own module so that a worker loads no more than it runs.
 */
import type { CsvBytesWriter } from '../../io/fast/csv-bytes-writer.js';
import { NumberRows } from '../../io/fast/number-rows.js';
import type { RowBatch } from '../batch.js';

/** The feature position of each column (−1: not a feature). */
export function featurePositions(features: readonly number[], width: number): Int32Array {
  const featureOf = new Int32Array(width).fill(-1);
  features.forEach((j, f) => (featureOf[j] = f));
  return featureOf;
}

/**
 * Rows [0, rows) of a batch of scanned CSV records into `out`: feature cells with a value as
 * numbers (the shortest round-trip text, or `format`'s), every other cell as it was read.
 */
export function writeCsvRecords(out: CsvBytesWriter, batch: RowBatch, featureOf: Int32Array, format: ((x: number) => string) | undefined, rows = batch.rows): void {
  const fields = batch.records!.fields!;
  const values = batch.values;
  // Every column a feature, written the shortest way: whole rows at once, up to the first
  // stretch with a missing cell (its record's text is written, from here on).
  const first = format === undefined && featureOf.every((f) => f >= 0) ? NumberRows.of(featureOf.length).write(out, values, 0, rows) : 0;
  for (let i = first; i < rows; i++) {
    const record = fields(i);
    const width = record.length;
    for (let j = 0; j < width; j++) {
      if (j > 0) out.delimiterByte();
      if (featureOf[j]! >= 0 && writeValue(out, values[j]!, i, format)) continue;
      if (width === 1 && record.start(0) === record.end(0)) out.loneEmptyField();
      else out.field(record, j);
    }
    out.newline();
  }
}

/**
 * A feature cell's value, values[i], when it has one (not NaN, a missing cell): the shortest
 * round-trip text, or `format`'s. Returns whether it wrote it.
 */
export function writeValue(out: CsvBytesWriter, values: Float64Array, i: number, format: ((x: number) => string) | undefined): boolean {
  const y = values[i]!;
  if (y !== y) return false;
  if (format === undefined) out.numberAt(values, i);
  else out.ascii(format(y));
  return true;
}
