/**
 * The value arrays of a batch being filled, one per feature column (../batch.ts: RowBatch.values):
 * what both batchers, the byte scanner's and the row readers', fill. They start at BATCH_ROWS
 * rows (or the batch size, when smaller) and double as rows come, so that `-b 50000000` on a
 * small file costs what the file needs, not what the batch could hold.
 */
import type { FeaturePlan } from './feature-plan.js';

/** Rows a batch holds when its consumer does not say: a few hundred KB of values for ten features. */
export const BATCH_ROWS = 4096;

export class FeatureColumns {
  /** By column index: the feature columns' values (NaN: missing); undefined at other columns. */
  readonly values: (Float64Array | undefined)[] = [];
  /** The feature columns, in column order. */
  features: number[] = [];
  private room: number;

  constructor(private readonly capacity: number) {
    this.room = Math.min(capacity, BATCH_ROWS);
  }

  /** Make room for row i before it is written. */
  fit(i: number): void {
    if (i >= this.room) this.grow(i + 1);
  }

  /** Take the plan's features as they stand; a column that became one gets an array, NaN for the rows before. */
  refresh(plan: FeaturePlan): void {
    this.features = plan.featureIndices();
    for (const j of this.features) this.values[j] ??= new Float64Array(this.room).fill(Number.NaN);
  }

  private grow(rows: number): void {
    const room = Math.min(this.capacity, Math.max(rows, 2 * this.room));
    this.values.forEach((old, j) => {
      if (old === undefined) return;
      const values = new Float64Array(room).fill(Number.NaN);
      values.set(old);
      this.values[j] = values;
    });
    this.room = room;
  }
}
