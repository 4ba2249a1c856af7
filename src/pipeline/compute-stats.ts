/**
 * One pass over a table: per-feature moments of the whole input and of each batch. This is all
 * of `bn stats` and the first pass of a whole-input `bn normalize`. Memory holds one Moments per
 * batch (a few numbers per column), never rows.
 */
import { BnError } from '../errors.js';
import { Moments } from '../engine/moments.js';
import type { Row, TableSource } from '../io/table.js';
import { FeaturePlan } from './feature-plan.js';
import { ALL_COLUMNS, bindSelection, type Selection, type SelectionSpec } from './select.js';

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
  /** `--select`, parsed; undefined: the default rule. */
  select?: SelectionSpec;
}

/** The plan for a source whose first chunk has been read (so that its header is known). */
export function makePlan(source: Pick<TableSource, 'columns' | 'label' | 'keyed' | 'format'>, options: PassOptions, selection?: Selection): FeaturePlan {
  const bound = selection ?? (options.select ? bindSelection(options.select, source.columns) : ALL_COLUMNS);
  // Columns of CSV, TSV and JSON arrays are all known now: an unknown --select name fails at once.
  // JSON objects may bring new keys up to the end; the plan checks when it is frozen.
  if (!columnsMayGrow(source)) bound.check(source.columns, source.label);
  return new FeaturePlan(source.columns, options.isMissing, source.label, bound);
}

function columnsMayGrow(source: Pick<TableSource, 'keyed' | 'format'>): boolean {
  return source.keyed && (source.format === 'json' || source.format === 'ndjson');
}

/** Add a row's feature cells to `moments`, validating each (a JSON object's: at its own keys). */
export function addRow(moments: Moments, plan: FeaturePlan, row: Row): void {
  const { cells, keys } = row;
  if (keys !== undefined) {
    for (const j of keys) if (plan.isFeature(j)) moments.add(j, plan.value(cells[j], j, row));
    return;
  }
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
      // A JSON key first seen in this row: make room for its column.
      if (current.width < source.columns.length) current = widen(current, source.columns.length, source);
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
  return finishStats(plan, batches, rows, source);
}

/**
 * The end of a stats pass, shared by every reader: the checks on what was read (rows, features,
 * values in range, a value in every selected column) and the total over the batches.
 */
export function finishStats(
  plan: FeaturePlan | undefined,
  batches: BatchSummary[],
  rows: number,
  source: Pick<TableSource, 'columns' | 'label'>,
): DatasetStats {
  if (!plan || rows === 0) {
    throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: source.label });
  }
  plan.freeze();
  const features = plan.featureIndices();
  if (features.length === 0) {
    throw new BnError('BN_NO_FEATURES', 'no numeric column: nothing to normalize (see --select)', { file: source.label });
  }

  // Batches that ended before the last new column appeared get room for it (no values there).
  for (const batch of batches) batch.moments = widen(batch.moments, source.columns.length, source);
  const total = batches.length === 1 ? batches[0]!.moments : mergeAll(batches, source.columns.length);
  // Every statistic reported: the whole input's and each batch's (a small batch may hold a
  // variance beyond float64 when the whole input does not).
  for (const m of [total, ...batches.map((b) => b.moments)]) checkRepresentable(m, features, source.columns, source.label);
  for (const j of features) {
    // Only a selected column can be a feature without a value (the default rule needs one).
    if (total.count(j) === 0) {
      throw new BnError('BN_EMPTY_COLUMN', 'selected column has no number: every value is missing', { file: source.label, name: source.columns[j] });
    }
  }
  return { columns: source.columns, features, rows, total, batches };
}

/**
 * `m` with room for `width` columns (`m` itself when it has it). Moments has a fixed width, and
 * the engine stays as it is, so the copy goes through `fromSummary`: count, min, max exactly, the
 * mean exactly (as the double-double mean + meanLow), the variance to within one rounding
 * (var·n/n). This happens only when a JSON key first appears after the first chunk of rows.
 */
function widen(m: Moments, width: number, source: Pick<TableSource, 'columns' | 'label'>): Moments {
  if (m.width >= width) return m;
  const pad = (f: (j: number) => number) => Array.from({ length: width }, (_, j) => (j < m.width ? f(j) : 0));
  checkRepresentable(m, [...Array(m.width).keys()], source.columns, source.label);
  return Moments.fromSummary({
    count: pad((j) => m.count(j)),
    mean: pad((j) => m.mean(j)),
    meanLow: pad((j) => m.meanLow(j)),
    var: pad((j) => m.variance(j)),
    min: pad((j) => m.min(j)),
    max: pad((j) => m.max(j)),
  });
}

function mergeAll(batches: BatchSummary[], width: number): Moments {
  const total = new Moments(width);
  for (const batch of batches) total.merge(batch.moments);
  return total;
}

/**
 * A statistic beyond float64 (values near 1e300 have a variance near 1e600) is an error, never
 * Infinity: the mean, the variance, and the sample variance (n/(n−1) times larger: two values
 * ±1.3e154 have a variance of 1.69e308 and a sample variance beyond float64). `label` names the
 * input; absent for merged stats files.
 */
export function checkRepresentable(moments: Moments, features: readonly number[], columns: readonly string[], label?: string): void {
  for (const j of features) {
    const n = moments.count(j);
    if (n === 0) continue;
    if (!Number.isFinite(moments.mean(j)) || !Number.isFinite(moments.variance(j)) || (n > 1 && !Number.isFinite(moments.sampleVariance(j)))) {
      const where = label === undefined ? {} : { file: label };
      throw new BnError('BN_OVERFLOW', 'the mean or variance is beyond float64 range', { ...where, name: columns[j] });
    }
  }
}
