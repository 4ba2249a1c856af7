/**
 * One pass over a table: per-feature moments of the whole input and of each batch. This is all
 * of `bn stats` and the first pass of a whole-input `bn normalize`. Memory holds one Moments per
 * batch (a few numbers per column), never rows.
 */
import { BnError } from '../errors.js';
import { Moments } from '../engine/moments.js';
import type { TableShape, TableSource } from '../io/table.js';
import type { BatchConsumer, ReadPass } from './batch.js';
import { BatchMoments, foldTail, settledInFirst, type BatchSummary, type LastBatch } from './batch-moments.js';
import { makePlan, type FeaturePlan } from './feature-plan.js';
import { readRowBatches } from './row-batches.js';
import { describeColumns, type SelectionSpec } from './select.js';
import { oneColumnHint } from '../io/sniff-delimiter.js';

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
  /** With batchSize: a last batch too small to train on is folded into the one before it (default), or left for training to refuse. */
  lastBatch?: LastBatch;
  /**
   * A column --select names that has no number here is a feature of count 0 (a shard's stats
   * file: the column was empty in this shard only, and merging adds nothing for it), not an error.
   */
  emptySelected?: 'keep';
  /** With batchSize: the fewest values of a feature a batch is trained on (a preset's; default 2, PyTorch's): a last batch with fewer is folded. */
  fewestValues?: 1 | 2;
}

/** A stats pass as a batch consumer; `result` once the reader is done. */
export function statsConsumer(options: PassOptions): BatchConsumer & { result(shape: TableShape | undefined, label: string): DatasetStats } {
  let plan: FeaturePlan | undefined;
  let moments: BatchMoments | undefined;
  return {
    records: 'none',
    rowsBeforeError: false,
    start(shape) {
      plan = makePlan(shape, options);
      moments = new BatchMoments(shape.columns.length, options.batchSize ?? Number.POSITIVE_INFINITY);
      return plan;
    },
    batch(batch) {
      moments!.add(batch.values, batch.rows);
    },
    moments(partial, rows) {
      moments!.addMoments(partial, rows);
    },
    result(shape, label) {
      const batches = moments?.finish() ?? [];
      return finishStats(plan, batches, moments?.rows ?? 0, shape ?? { columns: [], label }, moments?.total(), options);
    },
    // Workers take the features as they stand: a column still undecided would need the rows before it.
    workerStep() {
      if (!plan || plan.undecided().length > 0) return undefined;
      // One batch: each range's exact Moments, made where it is read.
      return { features: plan.featureIndices(), moments: options.batchSize === undefined };
    },
  };
}

/** The statistics of one pass (`bn stats`, and pass 1 of a whole-input normalize). */
export async function statsPass(read: ReadPass, options: PassOptions, label: string): Promise<DatasetStats> {
  const consumer = statsConsumer(options);
  const end = await read(consumer);
  return consumer.result(end.shape, label);
}

/** `bn stats` of rows from any TableSource (the library's entry; the CLI reads through ./read-input.ts). */
export async function computeStats(source: TableSource, options: PassOptions): Promise<DatasetStats> {
  const consumer = statsConsumer(options);
  await readRowBatches(source, consumer);
  return consumer.result(source, source.label);
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
  /** The batches merged (BatchMoments.total). */
  merged: Moments | undefined,
  { lastBatch, emptySelected, fewestValues }: Pick<PassOptions, 'lastBatch' | 'emptySelected' | 'fewestValues'> = {},
): DatasetStats {
  if (!plan || rows === 0 || !merged) {
    throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: source.label });
  }
  plan.freeze();
  const features = plan.featureIndices();
  if (features.length === 0) throw noFeatures(plan, source.columns, source.label);

  // Batches that ended before the last new column appeared get room for it (no values there).
  for (const batch of batches) batch.moments = batch.moments.widen(source.columns.length);
  // Folded as training in batches folds: by the features its first batch settles (a column whose
  // first number comes later is one here, but passes through `normalize -b`).
  if (batches.length > 1) batches = foldTail(batches, settledInFirst(batches, features), lastBatch, fewestValues);
  const total = merged.widen(source.columns.length);
  // Every statistic reported: the whole input's and each batch's (a small batch may hold a
  // variance beyond float64 when the whole input does not).
  for (const m of [total, ...batches.map((b) => b.moments)]) checkRepresentable(m, features, source.columns, source.label);
  for (const j of features) {
    // Only a selected column can be a feature without a value (the default rule needs one).
    if (total.count(j) === 0 && emptySelected !== 'keep') {
      throw new BnError('BN_EMPTY_COLUMN', 'selected column has no number: every value is missing', { file: source.label, name: source.columns[j] });
    }
  }
  return { columns: source.columns, features, rows, total, batches };
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
    const beyond = !Number.isFinite(moments.mean(j))
      ? 'the mean'
      : !Number.isFinite(moments.variance(j))
        ? 'the variance'
        : n > 1 && !Number.isFinite(moments.sampleVariance(j))
          ? 'the sample variance (var_sample, n/(n − 1) times the variance)'
          : undefined;
    if (beyond !== undefined) {
      const where = label === undefined ? {} : { file: label };
      throw new BnError('BN_OVERFLOW', `${beyond} is beyond float64 range`, { ...where, name: columns[j] });
    }
  }
}

/**
 * No column is a feature: none holds numbers, or none of those --select picks does (an error in
 * the data, status 1), or --select picks none at all (a /regex/ or a ! list that matches
 * nothing of this input: an error in the option, status 2).
 */
export function noFeatures(plan: FeaturePlan, columns: readonly string[], label: string): BnError {
  checkPicks(plan, columns, label);
  const picked = plan.picked();
  // Numbers with a decimal comma are text to bn: said, with the conversion, rather than left to guess.
  const comma = plan.decimalCommaColumns().filter((name) => picked === undefined || picked.includes(name));
  const why = comma.length > 0 ? `; ${describeColumns(comma).replace(/^\d+ columns?: /, '')} hold${comma.length === 1 ? 's' : ''} numbers with a decimal comma, which bn does not read: write their commas as points first` : oneColumnHint(columns);
  if (picked === undefined) return new BnError('BN_NO_FEATURES', `no numeric column, so no feature (see --select)${why}`, { file: label });
  // A column is numeric when its first value is a number: in the first batch with -b.
  return new BnError('BN_NO_FEATURES', `no column --select picks has a number for its first value (in the first batch, with -b): ${describeColumns(picked)}${why}`, { file: label });
}

/** A --select that picks no column of this input is a mistake in the option (status 2), in training and inference alike. */
export function checkPicks(plan: FeaturePlan, columns: readonly string[], label: string): void {
  if (plan.picked()?.length === 0) throw new BnError('BN_BAD_OPTION', `--select picks no column (${describeColumns(columns)})`, { file: label });
}
