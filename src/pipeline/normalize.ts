/**
 * Training-mode `bn normalize` (SPEC §3): every batch normalized with its own μ_B and biased σ_B².
 * These drivers take any reader (./batch.ts: a ReadPass) and any writer (./batch-writers.ts).
 *
 * - Whole input (no --batch-size): pass 1 computes the statistics (and validates every cell), so
 *   nothing is written when the data is bad; pass 2 streams the rows out. Memory: one batch.
 * - --batch-size N: one pass; N rows are held, normalized and written. Memory: N rows (and, for a
 *   caller that does not pass `running`, the Moments of every batch).
 */
import { BnError } from '../errors.js';
import type { RunningStats } from '../engine/running-stats.js';
import { Moments } from '../engine/moments.js';
import type { Ratio } from '../engine/exact-scale.js';
import type { TableSource } from '../io/table.js';
import type { TableLayout, TableSink } from '../io/table-sink.js';
import type { AffineParams, AffineSpec } from './affine.js';
import { affineParams, resolveAffine } from './affine.js';
import type { TableShape } from '../io/table.js';
import type { BatchConsumer, ReadPass, RowBatch } from './batch.js';
import { sinkWriter, type BatchWriter } from './batch-writers.js';
import { tooSmall, type BatchSummary } from './batch-moments.js';
import { checkRepresentable, noFeatures, statsPass, type DatasetStats, type PassOptions } from './compute-stats.js';
import { makePlan, type FeaturePlan } from './feature-plan.js';
import { readRowBatches } from './row-batches.js';
import type { TrainingSettings } from './presets.js';
import { foldBatch, type RunningSettings } from './running.js';
import { fixedColumns } from './select.js';
import { affineTransform, beyondRange, beyondRangeError, transformBatch } from './transform-batch.js';

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
  /** The scale where σ² + ε = 0: 0 (PyTorch: every y is β) or 1 (scikit-learn). Default 0. */
  flat?: 0 | 1;
}

/**
 * A preset's settings (resolveTrainingSettings) as training options: ε, γ and β, the running
 * statistics' rules, the scale of a flat feature and the fewest values a batch trains on, each as
 * the preset says (a caller who set only `running` would train by PyTorch's rule of two values).
 */
export function trainingOptionsOf(settings: TrainingSettings): Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta' | 'running' | 'flat' | 'fewestValues'> {
  return { epsilon: settings.epsilon, gamma: settings.gamma, beta: settings.beta, running: settings, flat: settings.flatScale, fewestValues: settings.fewestValues };
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
  /** What rounding the mean left out (Moments.meanLow). */
  meanLow: Float64Array;
  /** Exact: the scale is rounded once from it. */
  variance: Ratio[];
  /** meanLow of feature f times 2^k, rounded once (a feature of tiny values: ./affine.ts). */
  lowTimes: (f: number, k: number) => number;
}

/** Training mode over rows from any TableSource into a sink (the library's entry). */
export async function normalizeTraining(
  openSource: () => TableSource | Promise<TableSource>,
  sink: TableSink,
  options: TrainingOptions,
): Promise<TrainingResult> {
  // The first source is opened now, for its label; each pass after it opens its own.
  let first: TableSource | undefined = await openSource();
  const label = first.label;
  const read: ReadPass = async (consumer) => {
    const source = first ?? (await openSource());
    first = undefined;
    return { rows: await readRowBatches(source, consumer), shape: source };
  };
  return train(read, sinkWriter(sink), options, label);
}

/** Training mode: the whole input as one batch (two passes), or batches of --batch-size rows. */
export async function train(read: ReadPass, writer: BatchWriter, options: TrainingOptions, label: string): Promise<TrainingResult> {
  return options.batchSize === undefined ? trainWhole(read, writer, options, label) : trainBatched(read, writer, options, options.batchSize, label);
}

async function trainWhole(read: ReadPass, writer: BatchWriter, options: TrainingOptions, label: string): Promise<TrainingResult> {
  const stats = await statsPass(read, options, label);
  const { gamma, beta, affine } = wholeInputTransform(stats, options, label);
  const rows = await writePass(read, transformConsumer(stats.features, affine, writer, options, (shape) => ({
    // Pass 1 has seen every column (JSON keys that first appear late included).
    columns: stats.columns,
    width: stats.columns.length,
    features: stats.features,
    keyed: shape.keyed,
    from: shape.format,
    label: shape.label,
    types: shape.types,
  })), writer);
  checkSameRows(stats.rows, rows, label);
  return { ...stats, gamma, beta };
}

/**
 * A pass that writes: the reader into `consumer`, then the writer's end. On an error, what was
 * written before it goes out (a row writer would have written it by then). Returns the rows read.
 */
export async function writePass(read: ReadPass, consumer: BatchConsumer, writer: BatchWriter, onNoRows?: (shape: TableShape | undefined) => void): Promise<number> {
  let end;
  try {
    end = await read(consumer);
    // A batch held back goes out now (and an error in it lets the batches before it out first).
    if (end.rows > 0) consumer.finish?.();
  } catch (err) {
    // What was written before the error goes out. The writer holds rows from before the failing
    // one: an error writing them (a late JSON key for a CSV header) came first in the input.
    await writer.abandon();
    throw err;
  }
  if (end.rows === 0) {
    if (onNoRows) onNoRows(end.shape);
    // A header and no rows: the header alone.
    else if (end.shape) consumer.start(end.shape);
  }
  await writer.end();
  return end.rows;
}

/**
 * Rows out with fixed features and one transform for every row: pass 2 of a whole-input
 * normalize. `layoutOf` gives what the writer starts with.
 */
export function transformConsumer(
  features: readonly number[],
  params: AffineParams,
  writer: BatchWriter,
  options: Pick<PassOptions, 'isMissing'>,
  layoutOf: (shape: TableShape) => TableLayout,
): BatchConsumer {
  let plan: FeaturePlan | undefined;
  return {
    records: 'keep',
    rowsBeforeError: true,
    settled: true,
    start(shape) {
      const layout = layoutOf(shape);
      // Pass 1 has read every JSON key: those the first records lack are columns from the start,
      // at the indices pass 1 gave them (both passes meet the keys in the same order).
      shape.expectKeys?.(layout.columns);
      writer.start(layout);
      plan ??= makePlan(shape, { isMissing: options.isMissing }, fixedColumns(features));
      return plan;
    },
    batch(batch) {
      writeTransformed(batch, features, params, writer);
    },
    afterChunk: drainWhenFull(writer),
    ...workersWriting(writer, () => ({ features, params })),
  };
}

/** The afterChunk of a consumer that writes: output handed on once enough is buffered (back-pressure). */
export function drainWhenFull(writer: BatchWriter): () => Promise<void> {
  return async () => {
    if (writer.full) await writer.drain();
  };
}

/**
 * What workers do for a consumer that writes: transform and write their ranges as CSV bytes, when
 * the writer takes such bytes (CsvRecordsWriter); nothing otherwise (the main thread reads alone).
 * `transform` gives the features and constants once they are settled (undefined: not yet).
 */
export function workersWriting(
  writer: BatchWriter,
  transform: () => { features: readonly number[]; params: AffineParams } | undefined,
): Pick<BatchConsumer, 'workerStep' | 'writeBytes'> {
  if (!writer.writeBytes) return {};
  return {
    workerStep() {
      const settled = transform();
      return settled && { features: settled.features, write: { params: settled.params, precision: writer.precision } };
    },
    writeBytes: (bytes) => writer.writeBytes!(bytes),
  };
}

/** Transform a batch and write it; a result beyond float64 stops it after the rows before. */
export function writeTransformed(batch: RowBatch, features: readonly number[], params: AffineParams, writer: BatchWriter): void {
  const bad = transformBatch(batch, features, params);
  writer.write(batch, bad?.row);
  if (bad) throw beyondRangeError(batch, features, bad);
}

/**
 * Pass 1's result made ready for pass 2 of a whole-input normalize: γ and β for its features,
 * μ and σ², and the extremes checked before the first row goes out.
 */
export function wholeInputTransform(
  stats: DatasetStats,
  options: Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta' | 'flat' | 'fewestValues'>,
  label: string,
): { gamma: Float64Array; beta: Float64Array; params: BatchParams; affine: AffineParams } {
  const names = stats.features.map((j) => stats.columns[j]!);
  const gamma = resolveAffine('--gamma', options.gamma, names, 1);
  const beta = resolveAffine('--beta', options.beta, names, 0);
  const batch = stats.batches[0]!;
  const params = batchParams(batch, stats.features, stats.columns, label, { totalRows: stats.rows, fewest: options.fewestValues });
  const affine = batchAffine(params, options, gamma, beta);
  checkExtremes(batch.moments, stats.features, affineTransform(affine), stats.columns, label);
  return { gamma, beta, params, affine };
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

/**
 * --batch-size N: each batch's statistics, checks and transform, then its rows written. The
 * features are the first batch's (decided from its rows, then frozen); the output starts only
 * once the first batch has passed every check, so a first batch that fails writes nothing, not
 * even a header. One batch is held back until the next arrives: a last batch too small to train
 * on is then folded into it (--last-batch fold, the default) before either is written, so no rows
 * go out before a failure on the tail.
 */
async function trainBatched(read: ReadPass, writer: BatchWriter, options: TrainingOptions, batchSize: number, label: string): Promise<TrainingResult> {
  let shape: TableShape | undefined;
  let plan: FeaturePlan | undefined;
  let features: number[] = [];
  let gamma: Float64Array = new Float64Array(0);
  let beta: Float64Array = new Float64Array(0);
  const batches: BatchSummary[] = [];
  let batchCount = 0;
  let running: RunningStats | undefined;
  let total: Moments | undefined;
  let rows = 0;
  let held: { batch: RowBatch; moments: Moments } | undefined;
  // A pass that keeps no batch reuses its Moments (their sums' memory): two, one held.
  const spare: Moments[] = [];

  const momentsOf = (batch: RowBatch): Moments => {
    const moments = (options.running && spare.pop()) || new Moments(total!.width);
    moments.reset();
    for (const j of features) moments.addColumn(j, batch.values[j]!, batch.rows);
    return moments;
  };

  /** One training batch, of one reader batch or of two (a held one and the tail folded into it). */
  const trainOn = (parts: RowBatch[], moments: Moments, last: boolean, folded?: number) => {
    const { columns } = shape!;
    const summary: BatchSummary = { index: batchCount, rows: parts.reduce((n, b) => n + b.rows, 0), moments, ...(folded ? { folded } : {}) };
    checkRepresentable(moments, features, columns, label);
    const params = batchParams(summary, features, columns, label, { totalRows: last ? rows : undefined, batchSize, fewest: options.fewestValues });
    const affine = batchAffine(params, options, gamma, beta);
    checkExtremes(moments, features, affineTransform(affine), columns, label);
    // Its columns are the first batch's: a JSON key that first appears after it is not a
    // feature (it passes through a JSON output, and a CSV header cannot take it).
    if (batchCount === 0) writer.start({ columns, width: Math.max(...parts.map((part) => widthOf(part, shape!))), features, keyed: shape!.keyed, from: shape!.format, label: shape!.label, types: shape!.types });
    for (const part of parts) writeTransformed(part, features, affine, writer);
    if (options.running) running = foldBatch(running, moments, features, options.running);
    else batches.push(summary);
    batchCount++;
    total!.merge(moments);
    if (options.running) spare.push(moments);
  };

  const consumer: BatchConsumer = {
    records: 'keep',
    rowsBeforeError: false,
    batchRows: batchSize,
    holds: true,
    start(s) {
      shape = s;
      plan = makePlan(s, options);
      return plan;
    },
    batch(batch, end) {
      const { columns } = shape!;
      rows += batch.rows;
      if (total === undefined) {
        plan!.freeze();
        features = plan!.featureIndices();
        if (features.length === 0) throw noFeatures(plan!, columns, label);
        const names = features.map((j) => columns[j]!);
        gamma = resolveAffine('--gamma', options.gamma, names, 1);
        beta = resolveAffine('--beta', options.beta, names, 0);
        total = new Moments(Math.max(columns.length, batch.values.length));
      }
      const moments = momentsOf(batch);
      const last = end === 'last';
      if (held) {
        const before = held;
        held = undefined;
        if (last && tooSmall(moments, features, options.fewestValues)) {
          // --last-batch error: refused before the held batch goes out, so the output is all batches
          // but two; the held batch is checked first, so that the first batch too small is named.
          if (options.lastBatch === 'error') {
            const rule = { totalRows: rows, batchSize, fewest: options.fewestValues };
            checkTrainable({ index: batchCount, rows: before.batch.rows, moments: before.moments }, features, columns, label, rule);
            checkTrainable({ index: batchCount + 1, rows: batch.rows, moments }, features, columns, label, rule);
          }
          before.moments.merge(moments);
          if (options.running) spare.push(moments);
          return trainOn([before.batch, batch], before.moments, true, batch.rows);
        }
        trainOn([before.batch], before.moments, false);
      }
      if (last) trainOn([batch], moments, true);
      else held = { batch, moments };
    },
    finish() {
      if (held) trainOn([held.batch], held.moments, true);
      held = undefined;
    },
    afterChunk: drainWhenFull(writer),
  };
  await writePass(read, consumer, writer, () => {
    throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: label });
  });
  const folded = options.running ? { running: running!, batches: batchCount } : undefined;
  return { columns: shape!.columns, features, rows, total: total!, batches, gamma, beta, folded };
}

/** The columns the rows of a batch reach (JSON objects may bring keys the header has not). */
function widthOf(batch: RowBatch, shape: TableShape): number {
  if (shape.format === 'csv' || shape.format === 'tsv') return shape.columns.length;
  let width = 0;
  for (let i = 0; i < batch.rows; i++) width = Math.max(width, batch.records!.row(i).cells.length);
  return width;
}

/**
 * A batch's μ_B and σ_B² per feature. Training mode needs at least 2 values of every feature in
 * every batch (PyTorch refuses the same: "Expected more than 1 value per channel"), 1 where the
 * preset's library takes one (`fewest`).
 */
export function batchParams(batch: BatchSummary, features: number[], columns: readonly string[], label: string, rule: TrainRule = {}): BatchParams {
  checkTrainable(batch, features, columns, label, rule);
  const mean = new Float64Array(features.length);
  const meanLow = new Float64Array(features.length);
  const variance: Ratio[] = [];
  features.forEach((j, f) => {
    mean[f] = batch.moments.mean(j);
    meanLow[f] = batch.moments.meanLow(j);
    variance.push(batch.moments.varianceRatio(j)!);
  });
  return { mean, meanLow, variance, lowTimes: (f, k) => batch.moments.meanLowTimes(features[f]!, k) };
}

/**
 * What checkTrainable holds a batch to, and says: the fewest values of a feature (2, PyTorch's
 * rule, unless the preset's library takes 1), and for its advice the input's rows (known at the
 * last batch) and --batch-size.
 */
export interface TrainRule {
  fewest?: 1 | 2;
  totalRows?: number;
  batchSize?: number;
}

/** Every feature needs at least `fewest` values in every batch to be trained on (2 also for the unbiased variance of the running statistics). */
export function checkTrainable(batch: BatchSummary, features: readonly number[], columns: readonly string[], label: string, { fewest = 2, totalRows, batchSize }: TrainRule = {}): void {
  for (const j of features) {
    const n = batch.moments.count(j);
    if (n < fewest) {
      throw new BnError(
        'BN_TOO_FEW_VALUES',
        `batch ${batch.index} (${batch.rows} row${batch.rows === 1 ? '' : 's'}) has ${n} value${n === 1 ? '' : 's'} of this feature; ` +
          `training mode needs at least ${fewest}. ${suggestBatchSize(batch, totalRows, batchSize, fewest)}`,
        { file: label, name: columns[j] },
      );
    }
  }
}

/** Name a batch size that would work, where one can be known. */
function suggestBatchSize(batch: BatchSummary, totalRows: number | undefined, batchSize: number | undefined, fewest: 1 | 2): string {
  if (batchSize === undefined) return `Check that the column has at least ${fewest === 1 ? 'one value' : '2 values'}, or select other columns with --select.`;
  if (fewest === 2 && totalRows !== undefined && batch.rows < batchSize && batch.rows === 1) {
    // The last batch has one row: a size that leaves no remainder of 1.
    for (let b = batchSize + 1; b <= totalRows; b++) if (totalRows % b !== 1) return `Try --batch-size ${b}, or omit it to use the whole input as one batch.`;
  }
  return `Try a larger --batch-size (for example ${batchSize * 2}), or omit it to use the whole input as one batch.`;
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

/** y = γ·(x − μ_B)/√(σ_B² + ε) + β with a batch's statistics, feature by feature, as transformBatch takes it. */
export function batchAffine(params: BatchParams, options: Pick<TrainingOptions, 'epsilon' | 'flat'>, gamma: Float64Array, beta: Float64Array): AffineParams {
  return affineParams(params.mean, params.variance, options.epsilon, gamma, beta, params.meanLow, options.flat, params.lowTimes);
}
