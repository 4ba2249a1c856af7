/**
 * The value arrays of a batch being filled, one per feature column (../batch.ts: RowBatch.values):
 * what both batchers, the byte scanner's and the row readers', fill. Memory follows the data:
 * - the arrays start at a few rows and double as rows come, so that `-b 50000000` on a small
 *   file costs what the file needs, not what the batch could hold;
 * - where the consumer leaves the batch size open (no -b: batches are only a way to hand rows
 *   on, and no result depends on where they are cut), a batch holds at most CELL_BUDGET cells:
 *   BATCH_ROWS rows of a few hundred features, fewer rows of more (100,000 columns took
 *   3 GB at BATCH_ROWS rows each).
 * With -b N the batch is what the user asked for, and holds N rows whatever its width.
 */
import type { FeaturePlan } from './feature-plan.js';

/** Rows a batch holds when its consumer does not say: a few hundred KB of values for ten features. */
export const BATCH_ROWS = 4096;

/** Values a batch of open size holds at most (4 MB). */
export const CELL_BUDGET = 1 << 19;

/** Rows the arrays hold at first. */
const FIRST_ROWS = 4;

export class FeatureColumns {
  /** By column index: the feature columns' values (NaN: missing); undefined at other columns. */
  readonly values: (Float64Array | undefined)[] = [];
  /** The feature columns, in column order. */
  features: number[] = [];
  /** Rows at which the batch is full and handed on (it may drop below the rows held when features come: hand on at once). */
  limit: number;
  private room: number;

  /** `fixed`: `capacity` is the batch size the consumer wants (-b); otherwise the most a batch may hold. */
  constructor(
    private readonly capacity: number,
    private readonly fixed: boolean,
  ) {
    this.limit = capacity;
    this.room = Math.min(capacity, FIRST_ROWS);
  }

  /** Make room for row i before it is written. */
  fit(i: number): void {
    if (i >= this.room) this.grow(i + 1);
  }

  /** Take the plan's features as they stand; a column that became one gets an array, NaN for the rows before. */
  refresh(plan: FeaturePlan): void {
    this.features = plan.featureIndices();
    for (const j of this.features) this.values[j] ??= new Float64Array(this.room).fill(Number.NaN);
    if (!this.fixed) this.limit = Math.min(this.capacity, Math.max(1, Math.floor(CELL_BUDGET / Math.max(1, this.features.length))));
  }

  private grow(rows: number): void {
    const room = Math.max(rows, Math.min(this.limit, 2 * this.room));
    this.values.forEach((old, j) => {
      if (old === undefined) return;
      const values = new Float64Array(room).fill(Number.NaN);
      values.set(old);
      this.values[j] = values;
    });
    this.room = room;
  }
}
