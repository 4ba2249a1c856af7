/**
 * The factor of the Batch Normalization transform, scale = γ/√(σ² + ε), and of its inverse,
 * unscale = √(σ² + ε)/γ, each correctly rounded: the double nearest to the exact value, from the
 * exact variance (a rational, Moments.varianceRatio) and the doubles ε and γ. Computed in float64
 * as γ / Math.sqrt(σ² + ε), it is rounded four times (σ², + ε, √, ÷: up to ~2 ulps); once here,
 * which is what keeps a normalized value within 3 ulps of its exact result.
 *
 * Both are √ of one rational, γ²/(σ² + ε) or (σ² + ε)/γ², so a single square root rounds once.
 */
import { dyadicOf } from './exact-sum.js';
import { roundSqrtQuotient } from './round-rational.js';

/** A rational num/den·2^exp, den > 0: an exact variance. */
export interface Ratio {
  num: bigint;
  den: bigint;
  exp: number;
}

/** A finite double as a Ratio. */
export function ratioOf(x: number): Ratio {
  const d = dyadicOf(x);
  return { num: d.mantissa, den: 1n, exp: d.exponent };
}

/** σ² + ε as num/den·2^exp (ε a finite double). */
function plusEpsilon(variance: Ratio, eps: number): Ratio {
  const e = dyadicOf(eps);
  if (e.mantissa === 0n) return variance;
  const low = Math.min(variance.exp, e.exponent);
  const num = (variance.num << BigInt(variance.exp - low)) + ((variance.den * e.mantissa) << BigInt(e.exponent - low));
  return { num, den: variance.den, exp: low };
}

/**
 * γ/√(σ² + ε) correctly rounded. Where σ² + ε = 0, `flat`·γ: 0 as PyTorch's InvStd (the inverse
 * taken as 0), or 1·γ as scikit-learn's _handle_zeros_in_scale.
 */
export function exactScale(variance: Ratio, eps: number, gamma: number, flat: 0 | 1 = 0): number {
  const v = plusEpsilon(variance, eps);
  // A negative σ² + ε has no square root (float64 says NaN too).
  if (v.num < 0n) return NaN;
  if (v.num === 0n) return flat === 0 ? 0 : gamma;
  if (gamma === 0) return gamma;
  const g = dyadicOf(Math.abs(gamma));
  const s = roundSqrtQuotient(g.mantissa * g.mantissa * v.den, v.num, 2 * g.exponent - v.exp);
  return gamma < 0 ? -s : s;
}

/** √(σ² + ε)/γ correctly rounded (γ ≠ 0: the caller checks); where σ² + ε = 0, the inverse of exactScale's `flat`. */
export function exactUnscale(variance: Ratio, eps: number, gamma: number, flat: 0 | 1 = 0): number {
  const v = plusEpsilon(variance, eps);
  if (v.num === 0n) return flat === 0 ? 0 : 1 / gamma;
  const g = dyadicOf(Math.abs(gamma));
  const s = roundSqrtQuotient(v.num, v.den * g.mantissa * g.mantissa, v.exp - 2 * g.exponent);
  return gamma < 0 ? -s : s;
}
