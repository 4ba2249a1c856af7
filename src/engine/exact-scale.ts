/**
 * The factor of the Batch Normalization transform, scale = γ/√(σ² + ε), and of its inverse,
 * unscale = √(σ² + ε)/γ, each correctly rounded: the double nearest to the exact value, from the
 * exact variance (a rational, Moments.varianceRatio) and the doubles ε and γ. Computed in float64
 * as γ / Math.sqrt(σ² + ε), it is rounded four times (σ², + ε, √, ÷: up to ~2 ulps); once here,
 * which is what keeps a normalized value within 3 ulps of its exact result.
 *
 * Both are √ of one rational, γ²/(σ² + ε) or (σ² + ε)/γ², so a single square root rounds once.
 */
import { add, decide, divide, divideInto, exactly, squareRoot, usable, type Approx } from './double-double.js';
import { dyadicOf } from './exact-sum.js';
import { roundSqrtQuotient } from './round-rational.js';

/**
 * A rational num/den·2^exp, den > 0: an exact variance; with `approx`, a double-double
 * approximation of it that may decide the rounding without BigInt (./double-double.ts).
 */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
  readonly exp: number;
  readonly approx?: Approx | undefined;
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
  const fast = variance.approx && fastRoot(variance.approx, eps, gamma, 'scale');
  if (fast !== undefined) return fast;
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
  const fast = variance.approx && fastRoot(variance.approx, eps, gamma, 'unscale');
  if (fast !== undefined) return fast;
  const v = plusEpsilon(variance, eps);
  if (v.num === 0n) return flat === 0 ? 0 : 1 / gamma;
  const g = dyadicOf(Math.abs(gamma));
  const s = roundSqrtQuotient(v.num, v.den * g.mantissa * g.mantissa, v.exp - 2 * g.exponent);
  return gamma < 0 ? -s : s;
}

/**
 * γ/√(σ² + ε) ('scale') or √(σ² + ε)/γ ('unscale') in double-double arithmetic, when its error
 * bound decides the rounding; undefined otherwise (and for γ = 0 or σ² + ε that may be 0).
 */
function fastRoot(variance: Approx, eps: number, gamma: number, which: 'scale' | 'unscale'): number | undefined {
  if (gamma === 0 || !Number.isFinite(gamma) || !Number.isFinite(eps)) return undefined;
  const sum = usable(add(variance, exactly(eps)));
  const root = sum && usable(squareRoot(sum));
  if (root === undefined) return undefined;
  const size = Math.abs(gamma);
  if (usable(exactly(size)) === undefined) return undefined;
  const quotient = which === 'scale' ? divideInto(size, root) : divide(root, size);
  const rounded = quotient && decide(quotient);
  if (rounded === undefined) return undefined;
  return gamma < 0 ? -rounded : rounded;
}
