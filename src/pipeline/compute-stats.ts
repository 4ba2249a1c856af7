/**
 * One pass over a table: per-feature moments of the whole input and of each batch. This is all
 * of `bn stats` and the first pass of a whole-input `bn normalize`. Memory holds one Moments per
 * batch (a few numbers per column), never rows.
 */
import { BnError } from '../errors.js';
import { Moments } from '../engine/moments.js';
import type { Row, TableSource } from '../io/table.js';
import { FeaturePlan } from './feature-plan.js';

export interface BatchSummary {
  index: number;
  rows: number;
  /** Moments indexed by column (only feature columns are filled). */
  moments: Moments;
}

export interface DatasetStats {
  columns: string[];
  /** Column indices of the features, in column order. */
  features: number[];
  rows: number;
  total: Moments;
  batches: BatchSummary[];
}

export interface PassOptions {
  /** Rows per batch; undefined: the whole input is one batch. */
  batchSize?: number;
  isMissing: (text: string) => boolean;
  /** Turns the column names into the selected column indices (`--select`); undefined: default rule. */
  select?: (columns: readonly string[]) => number[];
}

export function makePlan(source: TableSource, options: PassOptions): FeaturePlan {
  const selected = options.select?.(source.columns);
  return new FeaturePlan(source.columns, options.isMissing, source.label, selected);
}

/** Add a row's feature cells to `moments`, validating each. */
export function addRow(moments: Moments, plan: FeaturePlan, row: Row): void {
  const { cells } = row;
  for (let j = 0; j < cells.length; j++) {
    if (plan.isFeature(j)) moments.add(j, plan.value(cells[j], j, row));
  }
}

export async function computeStats(source: TableSource, options: PassOptions): Promise<DatasetStats> {
  let plan: FeaturePlan | undefined;
  const batches: BatchSummary[] = [];
  let current: Moments | undefined;
  let inBatch = 0;
  let rows = 0;
  const batchSize = options.batchSize ?? Number.POSITIVE_INFINITY;

  for await (const chunk of source.chunks()) {
    plan ??= makePlan(source, options);
    for (const row of chunk) {
      current ??= new Moments(source.columns.length);
      plan.observe(row);
      addRow(current, plan, row);
      rows++;
      if (++inBatch === batchSize) {
        batches.push({ index: batches.length, rows: inBatch, moments: current });
        current = undefined;
        inBatch = 0;
      }
    }
  }
  if (current) batches.push({ index: batches.length, rows: inBatch, moments: current });
  if (!plan || rows === 0) {
    throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: source.label });
  }
  plan.freeze();
  const features = plan.featureIndices();
  if (features.length === 0) {
    throw new BnError('BN_NO_FEATURES', 'no numeric column: nothing to normalize (see --select)', { file: source.label });
  }

  const total = batches.length === 1 ? batches[0]!.moments : mergeAll(batches, source.columns.length);
  checkRepresentable(total, features, source.columns, source.label);
  return { columns: source.columns, features, rows, total, batches };
}

function mergeAll(batches: BatchSummary[], width: number): Moments {
  const total = new Moments(width);
  for (const batch of batches) total.merge(batch.moments);
  return total;
}

/** A statistic beyond float64 (values near 1e300 have a variance near 1e600) is an error, never Infinity. */
export function checkRepresentable(moments: Moments, features: number[], columns: string[], label: string): void {
  for (const j of features) {
    if (moments.count(j) === 0) continue;
    if (!Number.isFinite(moments.mean(j)) || !Number.isFinite(moments.variance(j))) {
      throw new BnError('BN_OVERFLOW', 'the mean or variance is beyond float64 range', { file: label, name: columns[j] });
    }
  }
}
