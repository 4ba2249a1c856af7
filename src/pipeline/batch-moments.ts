/**
 * Batches of rows → per-batch Moments, batches cut by row index (SPEC §3: consecutive batches of
 * N rows), whatever size the reader's batches have. Values go in row order, column by column,
 * through Moments.addColumn, which is bit-for-bit the row-at-a-time Moments.add: the statistics
 * are the same for every reader and any number of workers.
 */
import { Moments } from '../engine/moments.js';

export interface BatchSummary {
  index: number;
  rows: number;
  /** Moments indexed by column (only feature columns are filled). */
  moments: Moments;
}

export class BatchMoments {
  readonly batches: BatchSummary[] = [];
  rows = 0;
  private current: Moments | undefined;
  private inBatch = 0;

  constructor(
    private width: number,
    /** Rows per batch; Infinity: one batch. */
    private readonly batchSize: number,
    /** A Moments with room for more columns (JSON keys first seen late). */
    private readonly widen: (m: Moments, width: number) => Moments,
  ) {}

  /** Add `rows` rows of values (by column index; undefined: not a feature). */
  add(columns: readonly (Float64Array | undefined)[], rows: number): void {
    if (columns.length > this.width) {
      this.width = columns.length;
      if (this.current) this.current = this.widen(this.current, this.width);
    }
    let i = 0;
    while (i < rows) {
      const moments = (this.current ??= new Moments(this.width));
      const take = Math.min(rows - i, this.batchSize - this.inBatch);
      for (let j = 0; j < columns.length; j++) {
        const values = columns[j];
        if (values !== undefined) moments.addColumn(j, i === 0 ? values : values.subarray(i), take);
      }
      i += take;
      this.rows += take;
      this.inBatch += take;
      if (this.inBatch === this.batchSize) this.endBatch();
    }
  }

  /** The batches, the last (smaller) one included. */
  finish(): BatchSummary[] {
    if (this.current) this.endBatch();
    return this.batches;
  }

  private endBatch(): void {
    this.batches.push({ index: this.batches.length, rows: this.inBatch, moments: this.current! });
    this.current = undefined;
    this.inBatch = 0;
  }
}
