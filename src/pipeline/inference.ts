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
import { denormalizeScale } from '../engine/batch-norm.js';
import { BnError } from '../errors.js';
import type { Row, TableSource } from '../io/table.js';
import { layoutOf, widthOf, type TableSink } from '../io/table-sink.js';
import type { InferenceStats } from '../stats-file.js';
import { affineParams, affineTransform, resolveAffine, type AffineParams, type AffineSpec } from './affine.js';
import { makePlan, type PassOptions } from './compute-stats.js';
import { FeaturePlan } from './feature-plan.js';
import { transformRows } from './normalize.js';
import { fixedColumns } from './select.js';

export type Direction = 'normalize' | 'denormalize';

export interface InferenceOptions extends Omit<PassOptions, 'batchSize'> {
  direction: Direction;
  stats: InferenceStats;
  /** The stats file's name, for messages. */
  statsLabel: string;
  /** Flags that override the file's ε, γ, β. */
  epsilon?: number;
  gamma?: AffineSpec;
  beta?: AffineSpec;
}

/** Rows read before deciding which columns are numeric, when matching by position. */
export const DECIDE_ROWS = 1000;

/** Transform every row of `source` into `sink`; returns the number of rows. */
export async function transformWithStats(source: TableSource, sink: TableSink, options: InferenceOptions): Promise<number> {
  const chunks = source.chunks();
  // Read ahead: the first chunk names the columns; matching by position also needs values.
  const head: Row[] = [];
  const wanted = options.stats.features ? 1 : DECIDE_ROWS;
  let done = false;
  while (!done && head.length < wanted) {
    const next = await chunks.next();
    if (next.done) done = true;
    else head.push(...next.value);
  }

  const { plan, features } = matchFeatures(source, head, options);
  // The columns the rows read ahead reach (a header with no rows: the header).
  await sink.start(layoutOf(source, features, widthOf(head) || source.columns.length));
  let rows = 0;
  if (head.length > 0 || !done) {
    const transform = transformOf(features.map((j) => source.columns[j]!), options);
    const emit = async (chunk: Row[]) => {
      transformRows(chunk, plan, features, transform);
      rows += chunk.length;
      await sink.rows(chunk);
    };
    await emit(head);
    if (!done) for await (const chunk of chunks) await emit(chunk);
  }
  await sink.end();
  return rows;
}

/** The input's column index of each of the stats file's features, in the file's order. */
function matchFeatures(source: TableSource, head: readonly Row[], options: InferenceOptions): { plan: FeaturePlan; features: number[] } {
  const { columns } = source;
  const names = options.stats.features;
  const width = options.stats.runningMean.length;
  const fail = (message: string) => new BnError('BN_FEATURE_MISMATCH', message, { file: options.statsLabel });
  const numericColumns = () => {
    const plan = makePlan(source, options);
    for (const row of head) plan.observe(row);
    plan.freeze();
    return plan.featureIndices().map((j) => columns[j]!);
  };
  const list = (xs: readonly string[]) => (xs.length === 0 ? 'none' : xs.map((s) => JSON.stringify(s)).join(', '));

  if (names) {
    // With --select, the columns it picks (among a /regex/'s or a ! list's, the numeric ones).
    const selected = options.select ? numericColumns() : undefined;
    const available = selected ?? columns;
    const missing = names.filter((n) => !available.includes(n));
    // Without --select, other numeric columns simply pass through; with it, they were asked for.
    const unwanted = selected ? selected.filter((n) => !names.includes(n)) : [];
    if (missing.length > 0 || unwanted.length > 0) {
      const extra = selected ? unwanted : numericColumns().filter((n) => !names.includes(n));
      throw fail(
        `features do not match the input ${source.label}: ` +
          `missing from the input${selected ? "'s selection" : ''}: ${list(missing)}; ` +
          `in the input but not in the stats file: ${list(extra)}`,
      );
    }
    const features = names.map((n) => columns.indexOf(n));
    return { plan: new FeaturePlan(columns, options.isMissing, source.label, fixedColumns(features)), features };
  }

  const plan = makePlan(source, options);
  for (const row of head) plan.observe(row);
  plan.freeze();
  const features = plan.featureIndices();
  // No rows: nothing to transform, nothing to check the file against.
  if (head.length > 0 && features.length !== width) {
    throw fail(
      `the stats file has ${width} feature${width === 1 ? '' : 's'} and no "features" to match them by name, ` +
        `so they are matched by position; the input ${source.label} has ${features.length}: ` +
        `${list(features.map((j) => columns[j]!))}`,
    );
  }
  return { plan, features };
}

/** The per-value transform, with γ, β, ε from the file unless flags override them. */
function transformOf(names: readonly string[], options: InferenceOptions): (f: number, x: number) => number {
  return affineTransform(affineOf(names, options));
}

/**
 * The same transform as transformOf, in the form the fast CSV writer applies, y = (x − a)·s + b
 * per feature: normalize a = running_mean, s = normalizeScale(running_var, ε, γ), b = β;
 * denormalize a = β, s = denormalizeScale(running_var, ε, γ), b = running_mean. The operations
 * are normalizeValue's and denormalizeValue's, in the same order: the same float64 results.
 */
export function affineOf(names: readonly string[], options: InferenceOptions): AffineParams {
  const { stats } = options;
  const gamma = resolveAffine('--gamma', options.gamma, names, stats.weight);
  const beta = resolveAffine('--beta', options.beta, names, stats.bias);
  const eps = options.epsilon ?? stats.eps;
  const mean = Float64Array.from(stats.runningMean);
  const variance = stats.runningVar;
  if (options.direction === 'normalize') {
    return affineParams(mean, variance, eps, gamma, beta);
  }
  checkInvertible(gamma, names, options);
  return { mean: beta, scale: mean.map((_, f) => denormalizeScale(variance[f]!, eps, gamma[f]!)), beta: mean };
}

/** γ = 0 maps every value to β: denormalize cannot undo it. Blame the flag or the file. */
function checkInvertible(gamma: Float64Array, names: readonly string[], options: InferenceOptions): void {
  const zero = names.filter((_, f) => gamma[f] === 0);
  if (zero.length === 0) return;
  const fromFlag = resolveAffine('--gamma', options.gamma, names, Number.NaN);
  const quoted = zero.map((n) => JSON.stringify(n)).join(', ');
  const why = 'cannot denormalize: y = β for every x, so x cannot be recovered';
  if (zero.some((n) => fromFlag[names.indexOf(n)] === 0)) {
    throw new BnError('BN_BAD_OPTION', `--gamma: γ is 0 for ${quoted}: ${why}`);
  }
  throw new BnError('BN_BAD_STATS_FILE', `weight (γ) is 0 for ${quoted}: ${why}`, { file: options.statsLabel });
}
