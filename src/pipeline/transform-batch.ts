/**
 * The one place a transform meets the data: y = ((x·p − a) − a_lo)·s + b for every non-missing feature
 * value of a batch, in place (a writer then writes the batch). Training mode, inference and
 * denormalize differ only in their constants (./affine.ts), and the main thread and the workers
 * run this same loop.
 */
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import type { AffineParams } from './affine.js';
import type { RowBatch } from './batch.js';

/** A result beyond float64: the first (in row order) of a batch. */
export interface BeyondRange {
  row: number;
  /** The feature's position in `features`. */
  feature: number;
}

/**
 * Transforms batch.values[features[f]] with the constants of feature f. Returns undefined, or
 * the first cell whose result is beyond float64 (bn never writes Infinity or NaN): the rows
 * before it may be written, and `beyondRangeError` says what went wrong.
 */
export function transformBatch(batch: RowBatch, features: readonly number[], params: AffineParams): BeyondRange | undefined {
  const { mean, meanLow, scale, beta, prescale } = params;
  const n = batch.rows;
  let bad: BeyondRange | undefined;
  for (let f = 0; f < features.length; f++) {
    const values = batch.values[features[f]!]!;
    const a = mean[f]!;
    const low = meanLow[f]!;
    const s = scale[f]!;
    const b = beta[f]!;
    // Missing values (NaN) stay NaN, and the writer writes those cells back as they were.
    const p = prescale === undefined ? 1 : prescale[f]!;
    if (p !== 1) {
      // A feature of tiny values, in units of 1/p (./affine.ts): x·p is exact.
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x !== x) continue;
        const y = centred(x * p, a, low) * s + b;
        if (y - y !== 0 && (bad === undefined || i < bad.row)) bad = { row: i, feature: f };
        values[i] = y;
      }
      continue;
    }
    if (low === 0) {
      // A mean that is a double (inference: the file's running mean): PyTorch's arithmetic.
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x !== x) continue;
        const y = (x - a) * s + b;
        if (y - y !== 0 && (bad === undefined || i < bad.row)) bad = { row: i, feature: f };
        values[i] = y;
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      if (x !== x) continue;
      const y = centred(x, a, low) * s + b;
      if (y - y !== 0 && (bad === undefined || i < bad.row)) bad = { row: i, feature: f };
      values[i] = y;
    }
  }
  return bad;
}

/**
 * x − (a + low), rounded once: x − a exactly as d + e (Knuth's TwoSum), then the low part, even
 * for x far from a (where x − a itself rounds and Sterbenz does not help).
 */
function centred(x: number, a: number, low: number): number {
  const d = x - a;
  const v = d - x;
  const e = x - (d - v) + (-a - v);
  return d + (e - low);
}

/** The transform of `params` for one value (for checks: batches go through transformBatch, which computes the same). */
export function affineTransform(params: AffineParams): (f: number, x: number) => number {
  const one: RowBatch = { rows: 1, values: [new Float64Array(1)] };
  return (f, x) => {
    one.values[0]![0] = x;
    const at = (xs: Float64Array) => xs.subarray(f, f + 1);
    const single = { mean: at(params.mean), meanLow: at(params.meanLow), scale: at(params.scale), beta: at(params.beta), prescale: params.prescale && at(params.prescale) };
    transformBatch(one, [0], single);
    return one.values[0]![0]!;
  };
}

/** The error for a cell transformBatch found beyond float64. */
export function beyondRangeError(batch: RowBatch, features: readonly number[], bad: BeyondRange): BnError {
  const cell = batch.records?.cell(bad.row, features[bad.feature]!);
  return beyondRange(cell?.value, cell?.where ?? {});
}

export function beyondRange(value: unknown, where: ErrorLocation): BnError {
  return new BnError('BN_OVERFLOW', `the result for the value ${quoteValue(value)} is beyond float64 range (see γ, β, ε and the statistics)`, where);
}
