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
  /** Rows of a last batch too small to train on, folded into this one (foldTail); absent: none. */
  folded?: number;
}

/** What happens to a last batch too small to train on: folded into the one before it, or an error (PyTorch's). */
export type LastBatch = 'fold' | 'error';

/** A batch some feature has fewer than `fewest` values in (PyTorch's 2, by default): training cannot normalize it. */
export function tooSmall(moments: Moments, features: readonly number[], fewest: 1 | 2 = 2): boolean {
  return features.some((j) => moments.count(j) < fewest);
}

/**
 * The features a training pass settles in its first batch: those with a value there (a column
 * whose first number comes later passes through `normalize -b`), and those `kept` (--select names).
 */
export function settledInFirst(batches: readonly BatchSummary[], features: readonly number[], kept: (j: number) => boolean = () => false): number[] {
  const first = batches[0]!.moments;
  return features.filter((j) => first.count(j) > 0 || kept(j));
}

/**
 * The batches with a last one too small to train on folded into the batch before it (its rows,
 * its exact sums): what `--last-batch fold` does to every pass in batches. One batch alone has
 * nothing to fold into and stays as it is.
 */
export function foldTail(batches: BatchSummary[], features: readonly number[], lastBatch: LastBatch = 'fold', fewest: 1 | 2 = 2): BatchSummary[] {
  const tail = batches.at(-1);
  const before = batches.at(-2);
  if (lastBatch === 'error' || !tail || !before || !tooSmall(tail.moments, features, fewest)) return batches;
  before.moments = before.moments.widen(Math.max(before.moments.width, tail.moments.width));
  before.moments.merge(tail.moments.widen(before.moments.width));
  before.rows += tail.rows;
  before.folded = tail.rows;
  return batches.slice(0, -1);
}

export class BatchMoments {
  readonly batches: BatchSummary[] = [];
  rows = 0;
  private current: Moments | undefined;
  /** Every batch merged, as batches end (a finished batch keeps only its exact sums: Moments.compact). */
  private all: Moments | undefined;
  private inBatch = 0;

  constructor(
    private width: number,
    /** Rows per batch; Infinity: one batch. */
    private readonly batchSize: number,
  ) {}

  /** Add `rows` rows of values (by column index; undefined: not a feature). */
  add(columns: readonly (Float64Array | undefined)[], rows: number): void {
    if (columns.length > this.width) {
      this.width = columns.length;
      if (this.current) this.current = this.current.widen(this.width);
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

  /** The Moments of `rows` rows (by column), from a worker: only for one batch, whose order does not matter. */
  addMoments(moments: Moments, rows: number): void {
    if (this.batchSize !== Number.POSITIVE_INFINITY) throw new Error('BatchMoments.addMoments: batches need the values in order');
    if (moments.width > this.width) this.width = moments.width;
    let current = (this.current ??= new Moments(this.width));
    if (current.width < this.width) current = this.current = current.widen(this.width);
    current.merge(moments.widen(current.width));
    this.rows += rows;
    this.inBatch += rows;
  }

  /** The batches, the last (smaller) one included. */
  finish(): BatchSummary[] {
    if (this.current) this.endBatch();
    return this.batches;
  }

  /** Every row's Moments (after finish), or undefined when there were none. */
  total(): Moments | undefined {
    if (this.batches.length === 1) return this.batches[0]!.moments;
    return this.all;
  }

  private endBatch(): void {
    const moments = this.current!;
    this.batches.push({ index: this.batches.length, rows: this.inBatch, moments });
    if (this.batchSize !== Number.POSITIVE_INFINITY) {
      this.all = (this.all ?? new Moments(moments.width)).widen(moments.width);
      this.all.merge(moments.widen(this.all.width));
      moments.compact();
    }
    this.current = undefined;
    this.inBatch = 0;
  }
}
