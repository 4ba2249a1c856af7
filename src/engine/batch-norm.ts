/**
 * The Batch Normalization transform of one feature (Ioffe & Szegedy 2015, Algorithm 1):
 *
 *     x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β
 *
 * computed as y = (x − μ)·scale + β with scale = γ/√(σ² + ε). Subtracting μ first keeps the
 * result accurate for data far from zero (1e9 + noise); folding everything into x·a + b, as some
 * kernels do, would cancel catastrophically there. Its inverse, for inference-mode statistics:
 *
 *     x = (y − β)·unscale + μ,   unscale = √(σ² + ε)/γ
 *
 * The column and single-value functions share `normalizeScale` / `denormalizeScale` and the same
 * operation order, so they give bit-identical results. NaN (missing) in, NaN out.
 *
 * Case σ² + ε = 0 (a constant feature with ε = 0): like PyTorch's InvStd transform, the inverse
 * standard deviation is taken as 0, so every y is β (never NaN/Infinity), and denormalizing gives
 * back μ, which is what every x was; or, with `flat` = 1 (scikit-learn's rule, the sklearn
 * preset), the scale is 1·γ. The column and single-value functions below use PyTorch's rule.
 */
import { exactScale, exactUnscale, ratioOf, type Ratio } from './exact-scale.js';

/**
 * scale = γ/√(σ² + ε), correctly rounded (./exact-scale.ts); `flat`·γ when σ² + ε = 0 (0 as
 * PyTorch, 1 as scikit-learn). The variance is a double (a stats file's running variance) or the
 * exact rational of a batch.
 */
export function normalizeScale(variance: number | Ratio, eps: number, gamma: number, flat: 0 | 1 = 0): number {
  if (typeof variance === 'number' && !exactlyKnown(variance, eps, gamma)) {
    const v = variance + eps;
    return v === 0 ? flat * gamma : gamma / Math.sqrt(v);
  }
  return exactScale(typeof variance === 'number' ? ratioOf(variance) : variance, eps, gamma, flat);
}

/** unscale = √(σ² + ε)/γ, correctly rounded: the factor of the inverse transform. γ must be non-zero (caller checks). */
export function denormalizeScale(variance: number | Ratio, eps: number, gamma: number, flat: 0 | 1 = 0): number {
  if (typeof variance === 'number' && !exactlyKnown(variance, eps, gamma)) return Math.sqrt(variance + eps) / gamma;
  return exactUnscale(typeof variance === 'number' ? ratioOf(variance) : variance, eps, gamma, flat);
}

/** Finite inputs: anything else (NaN, Infinity) gets float64's answer, which says so. */
function exactlyKnown(variance: number, eps: number, gamma: number): boolean {
  return Number.isFinite(variance) && Number.isFinite(eps) && Number.isFinite(gamma) && gamma !== 0;
}

/** Reject a length that does not fit the arrays; allocate `out` when absent. */
function target(fn: string, values: Float64Array, length: number, out: Float64Array | undefined): Float64Array {
  if (!Number.isInteger(length) || length < 0 || length > values.length) {
    throw new RangeError(`${fn}: length ${length} out of range [0, ${values.length}]`);
  }
  if (out === undefined) return new Float64Array(length);
  if (out.length < length) throw new RangeError(`${fn}: out has length ${out.length} < ${length}`);
  return out;
}

/**
 * y = gamma·(x − mean)/√(var + eps) + beta, computed as (x − mean)·scale + beta with
 * scale = gamma/√(var+eps); NaN (missing) stays NaN. Writes values[0..length) into `out`
 * (may be `values` itself; a new array of `length` when absent) and returns it. Entries of
 * `out` from `length` on are untouched.
 */
export function normalizeColumn(
  values: Float64Array,
  length: number,
  mean: number,
  variance: number,
  eps: number,
  gamma: number,
  beta: number,
  out?: Float64Array,
): Float64Array {
  const dst = target('normalizeColumn', values, length, out);
  const scale = normalizeScale(variance, eps, gamma);
  for (let i = 0; i < length; i++) {
    dst[i] = (values[i]! - mean) * scale + beta;
  }
  return dst;
}

/**
 * Inverse of inference-mode normalization: x = (y − beta)/gamma·√(var + eps) + mean, computed as
 * (y − beta)·unscale + mean. gamma must be non-zero (caller checks). Same `out` rules as
 * `normalizeColumn`.
 */
export function denormalizeColumn(
  values: Float64Array,
  length: number,
  mean: number,
  variance: number,
  eps: number,
  gamma: number,
  beta: number,
  out?: Float64Array,
): Float64Array {
  const dst = target('denormalizeColumn', values, length, out);
  const unscale = denormalizeScale(variance, eps, gamma);
  for (let i = 0; i < length; i++) {
    dst[i] = (values[i]! - beta) * unscale + mean;
  }
  return dst;
}

/** Single-value `normalizeColumn` (row-at-a-time inference); bit-identical to the column version. */
export function normalizeValue(x: number, mean: number, variance: number, eps: number, gamma: number, beta: number): number {
  return (x - mean) * normalizeScale(variance, eps, gamma) + beta;
}

/** Single-value `denormalizeColumn`; bit-identical to the column version. */
export function denormalizeValue(y: number, mean: number, variance: number, eps: number, gamma: number, beta: number): number {
  return (y - beta) * denormalizeScale(variance, eps, gamma) + mean;
}
