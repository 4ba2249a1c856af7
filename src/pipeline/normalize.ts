/**
 * Training-mode `bn normalize` (SPEC §3): every batch normalized with its own μ_B and biased σ_B².
 *
 * - Whole input (no --batch-size): pass 1 computes the statistics (and validates every cell), so
 *   nothing is written when the data is bad; pass 2 streams the rows out. Memory: one row chunk.
 * - --batch-size N: one pass; N rows are held, normalized and written. Memory: N rows (and, for a
 *   caller that does not pass `running`, the Moments of every batch).
 */
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import type { RunningStats } from '../engine/running-stats.js';
import { Moments } from '../engine/moments.js';
import type { Row, TableSource } from '../io/table.js';
import { layoutOf, widthOf, type TableSink } from '../io/table-sink.js';
import type { AffineSpec } from './affine.js';
import { affineParams, affineTransform, resolveAffine } from './affine.js';
import { addRow, checkRepresentable, computeStats, makePlan, type BatchSummary, type DatasetStats, type PassOptions } from './compute-stats.js';
import type { FeaturePlan } from './feature-plan.js';
import { foldBatch, type RunningSettings } from './running.js';
import { fixedColumns } from './select.js';

export interface TrainingOptions extends PassOptions {
  epsilon: number;
  gamma?: AffineSpec;
  beta?: AffineSpec;
  /**
   * With --batch-size: fold the running statistics batch by batch with these settings, and keep
   * no batch (the result's `folded`; memory then does not grow with the rows). Without, the
   * result keeps every batch's Moments (a library caller may want them).
   */
  running?: RunningSettings;
}

export interface TrainingResult extends DatasetStats {
  gamma: Float64Array;
  beta: Float64Array;
  /**
   * A pass that folded the running statistics batch by batch (with the settings it was given)
   * keeps neither the batches' Moments nor `batches` (memory that would grow with the rows):
   * the folded state, and how many batches there were.
   */
  folded?: { running: RunningStats; batches: number };
}

/** Per-feature constants of one batch, in feature order. */
export interface BatchParams {
  mean: Float64Array;
  variance: Float64Array;
}

export async function normalizeTraining(
  openSource: () => TableSource | Promise<TableSource>,
  sink: TableSink,
  options: TrainingOptions,
): Promise<TrainingResult> {
  return options.batchSize === undefined
    ? normalizeWhole(openSource, sink, options)
    : normalizeBatched(await openSource(), sink, options, options.batchSize);
}

async function normalizeWhole(
  openSource: () => TableSource | Promise<TableSource>,
  sink: TableSink,
  options: TrainingOptions,
): Promise<TrainingResult> {
  const first = await openSource();
  const stats = await computeStats(first, options);
  const { gamma, beta, params, transform } = wholeInputTransform(stats, options, first.label);

  const second = await openSource();
  let plan: FeaturePlan | undefined;
  let rows = 0;
  for await (const chunk of second.chunks()) {
    if (!plan) {
      plan = makePlan(second, options, fixedColumns(stats.features));
      // Pass 1 has seen every column (JSON keys that first appear late included).
      await sink.start({ ...layoutOf(second, stats.features), columns: stats.columns, width: stats.columns.length });
    }
    transformRows(chunk, plan, stats.features, transform);
    await sink.rows(chunk);
    rows += chunk.length;
  }
  checkSameRows(stats.rows, rows, first.label);
  await sink.end();
  return { ...stats, gamma, beta };
}

/**
 * Pass 1's result made ready for pass 2 of a whole-input normalize (both readers): γ and β for
 * its features, μ and σ², the transform, and the extremes checked before the first row goes out.
 */
export function wholeInputTransform(
  stats: DatasetStats,
  options: Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta'>,
  label: string,
): { gamma: Float64Array; beta: Float64Array; params: BatchParams; transform: (f: number, x: number) => number } {
  const names = stats.features.map((j) => stats.columns[j]!);
  const gamma = resolveAffine('--gamma', options.gamma, names, 1);
  const beta = resolveAffine('--beta', options.beta, names, 0);
  const batch = stats.batches[0]!;
  const params = batchParams(batch, stats.features, stats.columns, label, stats.rows);
  const transform = batchTransform(params, options.epsilon, gamma, beta);
  checkExtremes(batch.moments, stats.features, transform, stats.columns, label);
  return { gamma, beta, params, transform };
}

/**
 * Pass 2 read another number of rows than pass 1: the file changed between them (rows appended,
 * or cut before the second opened it), and its rows would be normalized with other rows' statistics.
 */
export function checkSameRows(first: number, second: number, label: string): void {
  if (second !== first) {
    throw new BnError('BN_READ_FAILED', `the input changed between the two passes: ${first} rows in the first, ${second} in the second`, { file: label });
  }
}

async function normalizeBatched(source: TableSource, sink: TableSink, options: TrainingOptions, batchSize: number): Promise<TrainingResult> {
  let plan: FeaturePlan | undefined;
  let features: number[] = [];
  let gamma: Float64Array = new Float64Array(0);
  let beta: Float64Array = new Float64Array(0);
  const batches: BatchSummary[] = [];
  let batchCount = 0;
  let running: RunningStats | undefined;
  let total: Moments | undefined;
  let rows = 0;
  let pending: Row[] = [];

  const flush = async (isLast: boolean) => {
    if (pending.length === 0) return;
    if (!plan) throw new Error('unreachable: rows before plan');
    if (batchCount === 0) {
      for (const row of pending) plan.observe(row);
      plan.freeze();
      features = plan.featureIndices();
      if (features.length === 0) {
        throw new BnError('BN_NO_FEATURES', 'no numeric column: nothing to normalize (see --select)', { file: source.label });
      }
      const names = features.map((j) => source.columns[j]!);
      gamma = resolveAffine('--gamma', options.gamma, names, 1);
      beta = resolveAffine('--beta', options.beta, names, 0);
      total = new Moments(source.columns.length);
    }
    // The width of the first batch: every feature is among its columns.
    const moments = new Moments(total!.width);
    for (const row of pending) addRow(moments, plan, row);
    const summary = { index: batchCount, rows: pending.length, moments };
    checkRepresentable(moments, features, source.columns, source.label);
    const params = batchParams(summary, features, source.columns, source.label, isLast ? rows : undefined, batchSize);
    const transform = batchTransform(params, options.epsilon, gamma, beta);
    checkExtremes(moments, features, transform, source.columns, source.label);
    // Only now the output starts: a first batch that fails writes nothing, not even a header.
    // Its columns are the first batch's: a JSON key that first appears after it is not a feature
    // (it passes through a JSON output, and a CSV header cannot take it).
    if (batchCount === 0) await sink.start(layoutOf(source, features, widthOf(pending)));
    transformRows(pending, plan, features, transform);
    await sink.rows(pending);
    if (options.running) running = foldBatch(running, moments, features, options.running);
    else batches.push(summary);
    batchCount++;
    total!.merge(moments);
    pending = [];
  };

  for await (const chunk of source.chunks()) {
    plan ??= makePlan(source, options);
    for (const row of chunk) {
      pending.push(row);
      rows++;
      if (pending.length === batchSize) await flush(false);
    }
  }
  await flush(true);
  if (!plan || rows === 0 || !total) {
    throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: source.label });
  }
  await sink.end();
  const folded = options.running ? { running: running!, batches: batchCount } : undefined;
  return { columns: source.columns, features, rows, total, batches, gamma, beta, folded };
}

/**
 * A batch's μ_B and σ_B² per feature. Training mode needs at least 2 values of every feature in
 * every batch (PyTorch refuses the same: "Expected more than 1 value per channel").
 */
export function batchParams(
  batch: BatchSummary,
  features: number[],
  columns: readonly string[],
  label: string,
  totalRows?: number,
  batchSize?: number,
): BatchParams {
  checkTrainable(batch, features, columns, label, totalRows, batchSize);
  const mean = new Float64Array(features.length);
  const variance = new Float64Array(features.length);
  features.forEach((j, f) => {
    mean[f] = batch.moments.mean(j);
    variance[f] = batch.moments.variance(j);
  });
  return { mean, variance };
}

/**
 * Every feature needs at least 2 values in every batch to be trained on, and for the unbiased
 * variance of the running statistics (`bn stats --save-stats` checks the same).
 */
export function checkTrainable(
  batch: BatchSummary,
  features: readonly number[],
  columns: readonly string[],
  label: string,
  totalRows?: number,
  batchSize?: number,
): void {
  for (const j of features) {
    const n = batch.moments.count(j);
    if (n < 2) {
      throw new BnError(
        'BN_TOO_FEW_VALUES',
        `batch ${batch.index} (${batch.rows} row${batch.rows === 1 ? '' : 's'}) has ${n} value${n === 1 ? '' : 's'} of this feature; ` +
          `training mode needs at least 2. ${suggestBatchSize(batch, totalRows, batchSize)}`,
        { file: label, name: columns[j] },
      );
    }
  }
}

/** Name a batch size that would work, where one can be known. */
function suggestBatchSize(batch: BatchSummary, totalRows: number | undefined, batchSize: number | undefined): string {
  if (batchSize === undefined) return 'Check that the column has at least 2 values, or select other columns with --select.';
  if (totalRows !== undefined && batch.rows < batchSize && batch.rows === 1) {
    // The last batch has one row: a size that leaves no remainder of 1.
    for (let b = batchSize + 1; b <= totalRows; b++) if (totalRows % b !== 1) return `Try --batch-size ${b}, or omit it to use the whole input as one batch.`;
  }
  return `Try a larger --batch-size (for example ${batchSize * 2}), or omit it to use the whole input as one batch.`;
}

/**
 * Replace each non-missing feature cell by `transform(f, x)` (a number), f the feature's position;
 * other cells, and missing ones, stay as they were. Shared by training and inference mode. A
 * result beyond float64 (γ = 1e308, a stats file's extreme values) is an error naming the cell:
 * bn never writes Infinity or NaN.
 */
export function transformRows(
  rows: readonly Row[],
  plan: FeaturePlan,
  features: readonly number[],
  transform: (f: number, x: number) => number,
): void {
  for (const row of rows) {
    const { cells } = row;
    for (let f = 0; f < features.length; f++) {
      const j = features[f]!;
      const x = plan.value(cells[j], j, row);
      if (Number.isNaN(x)) continue; // missing: written back as it was
      const y = transform(f, x);
      if (!Number.isFinite(y)) throw beyondRange(cells[j], plan.where(j, row));
      cells[j] = y;
    }
  }
}

/**
 * The transform is monotone in x (so is each IEEE operation of (x − μ)·scale + β), so when it is
 * finite at a batch's min and max it is finite on every value of the batch: training mode refuses
 * a γ or β that takes the output beyond float64 before it writes a row of the batch.
 */
export function checkExtremes(
  moments: Moments,
  features: readonly number[],
  transform: (f: number, x: number) => number,
  columns: readonly string[],
  label: string,
): void {
  features.forEach((j, f) => {
    for (const x of [moments.min(j), moments.max(j)]) {
      if (!Number.isFinite(transform(f, x))) throw beyondRange(x, { file: label, name: columns[j] });
    }
  });
}

export function beyondRange(value: unknown, where: ErrorLocation): BnError {
  return new BnError('BN_OVERFLOW', `the result for the value ${quoteValue(value)} is beyond float64 range (see γ, β, ε and the statistics)`, where);
}

/** y = γ·(x − μ_B)/√(σ_B² + ε) + β with a batch's statistics, feature by feature. */
export function batchTransform(params: BatchParams, eps: number, gamma: Float64Array, beta: Float64Array): (f: number, x: number) => number {
  return affineTransform(affineParams(params.mean, params.variance, eps, gamma, beta));
}
