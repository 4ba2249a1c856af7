/**
 * Inference mode (SPEC §3): `bn normalize --stats S` and its inverse `bn denormalize --stats S`.
 * Every row is transformed with the saved running statistics, so there are no batches and one
 * pass: rows stream through as they arrive, any number of them (1 included).
 *
 *     normalize:    y = γ·(x − running_mean)/√(running_var + ε) + β
 *     denormalize:  x = (y − β)/γ·√(running_var + ε) + running_mean
 *
 * Features: the stats file's `features` matched by column name (other columns pass through);
 * without `features`, by position among the input's features (its numeric columns, decided from
 * the first rows, or `--select`).
 */
import { denormalizeScale, normalizeScale } from '../engine/batch-norm.js';
import type { Ratio } from '../engine/exact-scale.js';
import { BnError, quoteNames, quoteText } from '../errors.js';
import type { TableSource } from '../io/table.js';
import type { TableSink } from '../io/table-sink.js';
import { momentsOf, type InferenceStats, type Summary } from '../stats-file.js';
import { PRESETS } from './presets.js';
import { affineParams, resolveAffine, type AffineParams, type AffineSpec } from './affine.js';
import type { TableShape } from '../io/table.js';
import type { BatchConsumer, ReadPass } from './batch.js';
import { sinkWriter, type BatchWriter } from './batch-writers.js';
import { checkPicks, type PassOptions } from './compute-stats.js';
import { makePlan, type FeaturePlan } from './feature-plan.js';
import { drainWhenFull, workersWriting, writePass, writeTransformed } from './normalize.js';
import { readRowBatches } from './row-batches.js';
import { bindSelection, fixedColumns, pickedAmong, withFeatures } from './select.js';

export type Direction = 'normalize' | 'denormalize';

export interface InferenceOptions extends Omit<PassOptions, 'batchSize'> {
  direction: Direction;
  stats: InferenceStats;
  /** The stats file's name, for messages. */
  statsLabel: string;
  /**
   * Use the file's exact statistics of every row (its `mean` and biased `var`, from its exact
   * sums) instead of the running ones: the transform of a whole-input training pass, byte for
   * byte, and its inverse. Needs a bn stats file (`count`, `mean`, `var`).
   */
  exact?: boolean;
  /**
   * Write each chunk's rows as soon as it is read, not once a buffer is full: a live stream
   * (`tail -f`) is transformed as it comes. The caller reads with one thread (a block for a
   * worker would wait for a block's worth of input).
   */
  lineBuffered?: boolean;
  /** Flags that override the file's ε, γ, β. */
  epsilon?: number;
  gamma?: AffineSpec;
  beta?: AffineSpec;
}

/** What the constants of the transform depend on (`bn export` computes them without an input). */
export type AffineOptions = Pick<InferenceOptions, 'direction' | 'stats' | 'statsLabel' | 'exact' | 'epsilon' | 'gamma' | 'beta'>;

/** Rows read before deciding which columns are numeric, when matching by position. */
export const DECIDE_ROWS = 1000;

/** Transform every row of `source` into `sink` (the library's entry); returns the number of rows. */
export async function transformWithStats(source: TableSource, sink: TableSink, options: InferenceOptions): Promise<number> {
  return infer(async (consumer) => ({ rows: await readRowBatches(source, consumer), shape: source }), sinkWriter(sink), options);
}

/**
 * Inference mode over any reader and writer; returns the number of rows. The stats file's
 * features are matched by name as soon as the header is read, so that every row can stream (and
 * workers can take a file's byte ranges); matching by position, or with --select, needs the
 * numeric columns, which the first DECIDE_ROWS rows decide.
 */
export async function infer(read: ReadPass, writer: BatchWriter, options: InferenceOptions): Promise<number> {
  checkHasFeatures(options);
  const names = options.stats.features;
  let shape: TableShape | undefined;
  let plan: FeaturePlan | undefined;
  let features: number[] | undefined;
  let params: AffineParams | undefined;
  const startWriting = (s: TableShape, matched: number[]) => {
    features = matched;
    writer.start({ columns: s.columns, width: s.columns.length, features: matched, keyed: s.keyed, from: s.format, label: s.label, types: s.types });
  };
  const byNameAtOnce = names !== undefined && options.select === undefined;
  // With --select, the stats file's features it picks are features whatever their first values
  // (a /regex/'s column that is empty at first is still the feature the file names); the other
  // columns it picks are decided by their values, and refused if numeric.
  const selectedPlan = (s: TableShape) =>
    makePlan(s, options, names && options.select ? withFeatures(bindSelection(options.select, s.columns), new Set(names)) : undefined);
  // Of JSON objects, the features no record has had yet (absent from the first chunk's keys).
  let unseenFeatures: (() => string[]) | undefined;
  const consumer: BatchConsumer = {
    records: 'keep',
    rowsBeforeError: true,
    batchRows: byNameAtOnce ? undefined : DECIDE_ROWS,
    settled: byNameAtOnce,
    start(s) {
      if (plan) return plan;
      shape = s;
      // A key of JSON objects is a column once a record has it: one the first records lack is a
      // column from the start (missing in them), and one that no record has is refused at the end.
      // A stats file none of whose features the first records have is another input's: refused
      // at once, as a CSV header would be. With --select, the features it picks once they are columns.
      const known = new Set(s.columns);
      const expected = byNameAtOnce || !names ? names : pickedAmong(options.select!, s.columns, names);
      if (expected && s.keyed && s.expectKeys && expected.some((n) => known.has(n))) unseenFeatures = s.expectKeys(expected);
      const index = byNameAtOnce ? indexOfColumns(s.columns) : undefined;
      if (names && index && names.every((n) => index.has(n))) {
        const matched = names.map((n) => index.get(n)!);
        plan = makePlan(s, options, fixedColumns(matched));
        startWriting(s, matched);
      } else {
        // Decided from the first batch's rows, then matched (or a message listing the numeric columns).
        plan = selectedPlan(s);
      }
      return plan;
    },
    batch(batch, end) {
      // Rows before a bad one while the features are not settled: the error says more than they would.
      if (end === 'error' && features === undefined) return;
      if (features === undefined) {
        plan!.freeze();
        checkPicks(plan!, shape!.columns, shape!.label);
        startWriting(shape!, matchFeatures(shape!, plan!.featureIndices(), options));
      }
      params ??= affineOf(features!.map((j) => shape!.columns[j]!), options);
      writeTransformed(batch, features!, params, writer);
    },
    finish() {
      const unseen = unseenFeatures?.() ?? [];
      if (unseen.length === 0) return;
      // The input's other keys (of any type: pass-through cells are not read as numbers) may hold the one meant.
      const named = new Set(names);
      throw featureMismatch(shape!, unseen, shape!.columns.filter((c) => !named.has(c)), options, 'keys');
    },
    afterChunk: options.lineBuffered ? () => writer.drain() : drainWhenFull(writer),
    // Once the features are matched (by name: at the header; by position: after the rows that decide them).
    get flushEachChunk() {
      return options.lineBuffered === true && features !== undefined;
    },
    ...workersWriting(writer, () => {
      if (features === undefined) return undefined;
      params ??= affineOf(features.map((j) => shape!.columns[j]!), options);
      return { features, params };
    }),
  };
  return writePass(read, consumer, writer, (header) => {
    const s = shape ?? header;
    if (!s || features !== undefined) return;
    // No rows: nothing to transform. By name, the file is still checked against the header (with
    // --select, against the columns it names: no value decided any other).
    if (!names) return startWriting(s, []);
    const selected = plan ?? selectedPlan(s);
    selected.freeze();
    checkPicks(selected, s.columns, s.label);
    startWriting(s, matchFeatures(s, options.select ? selected.featureIndices() : [], options));
  });
}

/**
 * The input's column index of each of the stats file's features, in the file's order, given the
 * input's numeric columns (`numeric`, in column order; by name without --select, only in messages).
 */
function matchFeatures(shape: TableShape, numeric: readonly number[], options: InferenceOptions): number[] {
  const { columns } = shape;
  const names = options.stats.features;
  const width = options.stats.runningMean.length;
  const fail = (message: string) => new BnError('BN_FEATURE_MISMATCH', message, { file: options.statsLabel });
  const numericNames = numeric.map((j) => columns[j]!);

  if (names) {
    // With --select, the columns it picks (among a /regex/'s or a ! list's, the numeric ones).
    const selected = options.select ? numericNames : undefined;
    const available = new Set(selected ?? columns);
    const named = new Set(names);
    const missing = names.filter((n) => !available.has(n));
    // Without --select, other numeric columns simply pass through; with it, they were asked for.
    const unwanted = selected ? selected.filter((n) => !named.has(n)) : [];
    if (missing.length > 0 || unwanted.length > 0) {
      const extra = selected ? unwanted : numericNames.filter((n) => !named.has(n));
      throw featureMismatch(shape, missing, extra, options);
    }
    const index = indexOfColumns(columns);
    return names.map((n) => index.get(n)!);
  }
  if (numeric.length !== width) {
    throw fail(
      `the stats file has ${width} feature${width === 1 ? '' : 's'} and no "features" to match them by name, ` +
        `so they are matched by position; the input ${shape.label} has ${numeric.length}: ${quoteNames(numericNames)}`,
    );
  }
  return [...numeric];
}

/**
 * The stats file's features `missing` from the input (or its selection), and the input's `extra`
 * columns not in it: its numeric columns, or (`keys`, JSON objects read to the end) every other key.
 */
function featureMismatch(shape: TableShape, missing: readonly string[], extra: readonly string[], options: InferenceOptions, extraOf: 'numeric' | 'keys' = 'numeric'): BnError {
  const where = extraOf === 'keys' ? 'no record has the key' : `missing from the input${options.select ? "'s selection" : ''}`;
  const other = extraOf === 'keys' ? "the input's keys not in the stats file" : 'in the input but not in the stats file';
  return new BnError('BN_FEATURE_MISMATCH', `features do not match the input ${shape.label}: ${where}: ${quoteNames(missing)}; ${other}: ${quoteNames(extra)}`, {
    file: options.statsLabel,
  });
}

/**
 * The transform of inference mode as y = (x − a)·s + b per feature: normalize a = running_mean, s = normalizeScale(running_var, ε, γ), b = β;
 * denormalize a = β, s = denormalizeScale(running_var, ε, γ), b = running_mean. The operations
 * are normalizeValue's and denormalizeValue's, in the same order: the same float64 results.
 */
export function affineOf(names: readonly string[], options: AffineOptions): AffineParams {
  const { stats } = options;
  const gamma = resolveAffine('--gamma', options.gamma, names, stats.weight);
  const beta = resolveAffine('--beta', options.beta, names, stats.bias);
  const eps = options.epsilon ?? stats.eps;
  const exact = usesDatasetStatistics(options);
  const { mean, meanLow, variance, lowTimes } = exact ? datasetStatistics(names, options) : runningStatistics(names, options);
  // A stats file of the sklearn preset scales a constant feature by 1, as StandardScaler does.
  const flat = stats.preset === undefined ? 0 : PRESETS[stats.preset].flatScale;
  if (options.direction === 'normalize') {
    // The dataset's statistics (--exact) are training's, which writes β where σ² + ε = 0 (PyTorch's rule).
    if (flat === 0 && !exact) checkSpread(variance, eps, names, options);
    return affineParams(mean, variance, eps, gamma, beta, meanLow, flat, lowTimes);
  }
  checkInvertible(gamma, names, options);
  return { mean: beta, meanLow: new Float64Array(names.length), scale: mean.map((_, f) => denormalizeScale(variance[f]!, eps, gamma[f]!, flat)), beta: mean };
}

/**
 * Whether the transform uses the file's exact statistics of every row: with --exact, and always
 * for a file whose running statistics are those of every row (sklearn's): its transform is then
 * the training pass's, as StandardScaler's transform is fit_transform's.
 */
export function usesDatasetStatistics(options: Pick<AffineOptions, 'stats' | 'exact'>): boolean {
  const { stats } = options;
  return options.exact === true || (stats.preset !== undefined && PRESETS[stats.preset].running === 'dataset' && isSummary(stats));
}

/** The stats file of an empty shard has no features: nothing to transform with. */
export function checkHasFeatures(options: Pick<AffineOptions, 'stats' | 'statsLabel'>): void {
  if (options.stats.runningMean.length === 0) {
    throw new BnError('BN_BAD_STATS_FILE', 'the stats file has no features: it is that of an empty shard; bn merge it with the others first', { file: options.statsLabel });
  }
}

interface Statistics {
  mean: Float64Array;
  meanLow: Float64Array;
  variance: ReadonlyArray<number | Ratio>;
  /** meanLow times 2^k, rounded once from the exact sums (a feature of tiny values: ./affine.ts). */
  lowTimes?: (f: number, k: number) => number;
}

/** running_mean and running_var, as PyTorch's eval() uses them. */
function runningStatistics(names: readonly string[], options: AffineOptions): Statistics {
  const { stats } = options;
  const mean = Float64Array.from(stats.runningMean);
  const variance = stats.runningVar;
  const unknown = names.filter((_, f) => Number.isNaN(variance[f]) || Number.isNaN(mean[f]));
  // A shard's file with no value of a feature (count 0): only a merge gives it statistics.
  const none = isSummary(stats) ? names.filter((_, f) => stats.count[f] === 0) : [];
  if (none.length > 0) {
    throw new BnError(
      'BN_BAD_STATS_FILE',
      `the file holds no value of ${quoteNames(none)} (a shard in which --select named an empty column): bn merge it with the other shards' files first`,
      { file: options.statsLabel },
    );
  }
  if (unknown.length > 0) {
    throw new BnError(
      'BN_BAD_STATS_FILE',
      `the running statistics are null for ${unknown.map((n) => quoteText(n)).join(', ')}: the file was saved from a batch with fewer than 2 values of ${unknown.length === 1 ? 'it' : 'them'}; ` +
        'a shard\'s file: bn merge it with the others first; a whole file\'s (bn stats -b): save it again with a larger --batch-size, or use --exact',
      { file: options.statsLabel },
    );
  }
  return { mean, meanLow: new Float64Array(names.length), variance };
}

/**
 * --exact: the mean (with its low part) and the exact biased variance of every row, from the
 * file's exact sums, as a whole-input training pass computes them (a version-1 file has no sums:
 * its rounded mean and var stand in).
 */
function datasetStatistics(names: readonly string[], options: AffineOptions): Statistics {
  const { stats } = options;
  if (!isSummary(stats)) {
    throw new BnError('BN_USAGE', `--exact needs a bn stats file (with count, mean and var, as --save-stats writes them): ${options.statsLabel} has only running statistics`);
  }
  const moments = momentsOf(stats);
  const empty = names.filter((_, f) => moments.count(f) === 0);
  if (empty.length > 0) {
    throw new BnError('BN_BAD_STATS_FILE', `--exact: the file holds no values of ${quoteNames(empty)}`, { file: options.statsLabel });
  }
  return {
    mean: Float64Array.from(names, (_, f) => moments.mean(f)),
    meanLow: Float64Array.from(names, (_, f) => moments.meanLow(f)),
    variance: names.map((_, f) => moments.varianceRatio(f)!),
    lowTimes: (f, k) => moments.meanLowTimes(f, k),
  };
}

function isSummary(stats: InferenceStats): stats is InferenceStats & Summary {
  return 'count' in stats && 'mean' in stats && 'var' in stats;
}

/**
 * running_var + ε = 0 (a constant column, ε = 0) leaves nothing to divide by: every value would
 * silently become β. An error naming the features, blaming -e when it set ε.
 */
function checkSpread(variance: ReadonlyArray<number | Ratio>, eps: number, names: readonly string[], options: AffineOptions): void {
  const flat = names.filter((_, f) => normalizeScale(variance[f]!, eps, 1) === 0);
  if (flat.length === 0) return;
  const quoted = flat.map((n) => quoteText(n)).join(', ');
  const why = `running_var + ε is 0 for ${quoted}: nothing to divide by (every value would become β); use an ε > 0`;
  if (options.epsilon !== undefined) throw new BnError('BN_BAD_OPTION', `--epsilon: ${why}`);
  throw new BnError('BN_BAD_STATS_FILE', why, { file: options.statsLabel });
}

/** γ = 0 maps every value to β: denormalize cannot undo it. Blame the flag or the file. */
function checkInvertible(gamma: Float64Array, names: readonly string[], options: AffineOptions): void {
  const zero = names.filter((_, f) => gamma[f] === 0);
  if (zero.length === 0) return;
  const fromFlag = resolveAffine('--gamma', options.gamma, names, Number.NaN);
  const quoted = zero.map((n) => quoteText(n)).join(', ');
  const why = 'cannot denormalize: y = β for every x, so x cannot be recovered';
  if (names.some((_, f) => gamma[f] === 0 && fromFlag[f] === 0)) {
    throw new BnError('BN_BAD_OPTION', `--gamma: γ is 0 for ${quoted}: ${why}`);
  }
  throw new BnError('BN_BAD_STATS_FILE', `weight (γ) is 0 for ${quoted}: ${why}`, { file: options.statsLabel });
}

/**
 * Each column's index by name (the first, for a name given twice), for matching tens of
 * thousands of features: indexOf() in a loop over them took seconds.
 */
function indexOfColumns(columns: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  columns.forEach((name, j) => {
    if (!index.has(name)) index.set(name, j);
  });
  return index;
}
