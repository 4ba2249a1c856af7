/**
 * `--gamma` / `--beta` (SPEC §3): one number for every feature, a comma list with one number per
 * feature, or `name=value,…` pairs (features not named keep the default; a name with a comma or
 * an `=` in double quotes, `"a,b"=2`, as ./name-list.ts reads names). Parsed once at the
 * option boundary; resolved against the feature names once they are known.
 *
 * And the affine form every transform takes per value, y = ((x − a) − a_lo)·s + b with its
 * constants computed once per feature: training, inference and denormalize all apply it
 * (../pipeline/transform-batch.ts).
 */
import { normalizeScale } from '../engine/batch-norm.js';
import { ratioOf, type Ratio } from '../engine/exact-scale.js';
import { bitLength } from '../engine/round-rational.js';
import { BnError, quoteText } from '../errors.js';
import { didYouMean } from './closest-name.js';
import { splitItems, unquoteName } from './name-list.js';
import { parseDecimal } from '../io/numbers.js';

export type AffineSpec =
  | { kind: 'all'; value: number }
  | { kind: 'list'; values: number[] }
  | { kind: 'named'; values: Map<string, number> };

export function parseAffineSpec(flag: string, text: string): AffineSpec {
  const bad = (why: string) => new BnError('BN_BAD_OPTION', `${flag}: ${why}: ${quoteText(text)}`);
  const parts = splitItems(text, bad);
  const number = (s: string): number => {
    const x = parseDecimal(s);
    // The whole value is the item (`--gamma abc`): said once.
    if (!Number.isFinite(x)) throw s.trim() === text.trim() ? new BnError('BN_BAD_OPTION', `${flag}: not a finite number: ${quoteText(text)}`) : bad(`not a finite number ${quoteText(s)}`);
    return x;
  };
  if (parts.some((p) => p.includes('='))) {
    const values = new Map<string, number>();
    for (const part of parts) {
      const eq = part.lastIndexOf('=');
      if (eq <= 0) throw bad('expected name=value pairs');
      const name = unquoteName(part.slice(0, eq), bad);
      if (values.has(name)) throw bad(`feature ${quoteText(name)} named twice`);
      values.set(name, number(part.slice(eq + 1)));
    }
    return { kind: 'named', values };
  }
  if (parts.length === 1) return { kind: 'all', value: number(parts[0]!) };
  return { kind: 'list', values: parts.map(number) };
}

/**
 * One value per feature, in feature order. `fallback` (one number, or one per feature: a stats
 * file's γ or β) is what features the spec does not set keep.
 */
export function resolveAffine(
  flag: string,
  spec: AffineSpec | undefined,
  features: readonly string[],
  fallback: number | ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(features.length);
  if (typeof fallback === 'number') out.fill(fallback);
  else out.set(fallback);
  if (!spec) return out;
  switch (spec.kind) {
    case 'all':
      return out.fill(spec.value);
    case 'list':
      if (spec.values.length !== features.length) {
        throw new BnError(
          'BN_BAD_OPTION',
          `${flag}: ${spec.values.length} values for ${features.length} features (${features.join(', ')})`,
        );
      }
      out.set(spec.values);
      return out;
    case 'named': {
      const known = new Set(features);
      const unknown = [...spec.values.keys()].filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new BnError(
          'BN_BAD_OPTION',
          `${flag}: no feature named ${unknown.map((n) => quoteText(n)).join(', ')} (${[didYouMean(unknown, features), `features: ${features.join(', ')}`].filter(Boolean).join(' ')})`,
        );
      }
      features.forEach((name, i) => {
        const v = spec.values.get(name);
        if (v !== undefined) out[i] = v;
      });
      return out;
    }
  }
}

/**
 * The per-feature constants of a transform y = ((x·prescale − mean) − meanLow)·scale + beta, by
 * feature position. meanLow is what rounding the mean to a double left out (training mode: the
 * exact batch mean is mean + meanLow to twice float64's precision; 0 elsewhere). Near the mean,
 * x − mean is exact (Sterbenz), so x − μ is then off by one rounding of a small number, not by
 * the rounding of μ: on 1e9 + N(0, 1) data that is 1e−16 relative instead of 1e−8.
 *
 * `prescale` (absent: 1 for every feature) is a power of two for a feature whose values are
 * tiny, below 2^−900 (1e−271) in mean and spread, or whose mean's low part is not 0 but below
 * 2^−1022 (a mean near 0 of values like 5e−324): its mean, meanLow and scale are then in units
 * of 1/prescale. Unscaled, meanLow (≈ 2^−53 of the mean, or less) would fall below 2^−1022, where
 * a double keeps fewer than 53 bits, and x − μ near the mean would be off by far more than an
 * ulp; and γ/σ for a σ below 1e−308 would be beyond float64. Multiplying by a power of two is exact, so
 * a feature of ordinary size is untouched, and a scaled one gets the same results wherever the
 * unscaled arithmetic was exact.
 */
export interface AffineParams {
  mean: Float64Array;
  meanLow: Float64Array;
  scale: Float64Array;
  beta: Float64Array;
  prescale?: Float64Array;
}

/** Below this spread and mean (2^−900), a feature's transform works in units of 2^−k (see AffineParams; also lowPartLog2). */
const TINY_LOG2 = -900;
/** 2^k must be a double: at most 2^1023 (a spread of 2^−1074, the smallest, then becomes 2^−51). */
const MAX_PRESCALE_LOG2 = 1023;

/**
 * Training normalize: y = γ·(x − μ)/√(σ² + ε) + β as (x − μ)·scale + β, scale = normalizeScale
 * rounded once from the exact variance (a square root and a division per feature, not per cell).
 * `lowTimes(f, k)`: meanLow of feature f times 2^k, rounded once from the exact sums (absent: the
 * mean is a double, its low part 0 or as given).
 */
export function affineParams(
  mean: Float64Array,
  variance: ArrayLike<number | Ratio>,
  epsilon: number,
  gamma: Float64Array,
  beta: Float64Array,
  meanLow: Float64Array = new Float64Array(mean.length),
  flat: 0 | 1 = 0,
  lowTimes?: (f: number, k: number) => number,
): AffineParams {
  const params: AffineParams = { mean, meanLow, scale: new Float64Array(mean.length), beta };
  for (let f = 0; f < mean.length; f++) {
    let k = prescaleLog2(mean[f]!, variance[f]!, epsilon);
    // The low part as a double, when it is a normal one, is all there (most features): no probe.
    const lowPart = k === 0 && lowTimes !== undefined && !(Math.abs(meanLow[f]!) >= 2 ** -1022);
    if (lowPart) k = lowPartLog2(lowTimes(f, LOW_PROBE_LOG2), mean[f]!, variance[f]!, epsilon);
    // The scale rounded once, then divided by 2^k (exact while that stays a normal double: k is
    // lowered to keep it one), where ε·4^k is beyond float64 (ε is most of σ² + ε, and the
    // unscaled scale is of ordinary size) or the units are the low part's (a small γ or a large σ
    // would make s/2^k subnormal).
    const unscaled = k > 0 && (lowPart || !Number.isFinite(epsilon * 2 ** k * 2 ** k)) ? normalizeScale(variance[f]!, epsilon, gamma[f]!, flat) : undefined;
    if (unscaled !== undefined) k = Math.min(k, Math.floor(Math.log2(Math.abs(unscaled))) + 1022);
    if (k <= 0) {
      params.scale[f] = unscaled ?? normalizeScale(variance[f]!, epsilon, gamma[f]!, flat);
      continue;
    }
    if (!params.prescale) {
      params.prescale = new Float64Array(mean.length).fill(1);
      params.mean = Float64Array.from(mean);
      params.meanLow = Float64Array.from(meanLow);
    }
    params.prescale[f] = 2 ** k;
    params.mean[f] = mean[f]! * 2 ** k;
    params.meanLow[f] = lowTimes ? lowTimes(f, k) : meanLow[f]! * 2 ** k;
    // γ/√(σ²·4^k + ε·4^k) = (γ/√(σ² + ε))/2^k, rounded once; ε·4^k in two exact steps.
    params.scale[f] = unscaled !== undefined ? unscaled / 2 ** k : normalizeScale(timesFourTo(variance[f]!, k), epsilon * 2 ** k * 2 ** k, gamma[f]!, flat);
  }
  return params;
}

/**
 * k for a feature of tiny values, mean and spread σ both below 2^−900 (whatever ε: the low part
 * of the mean is as small with a large ε): the power of two that brings the larger near 1 (at
 * most 2^1023); 0 for every other feature, and where σ² + ε is 0.
 */
function prescaleLog2(mean: number, variance: number | Ratio, epsilon: number): number {
  if (log2Of(variance, epsilon) === -Infinity) return 0;
  const size = Math.max(log2Of(variance, 0) / 2, mean === 0 ? -Infinity : Math.log2(Math.abs(mean)));
  if (!(size < TINY_LOG2) || size === -Infinity) return 0;
  return Math.min(MAX_PRESCALE_LOG2, -Math.floor(size));
}

/** meanLow·2^1074, a double whatever meanLow is: it is a multiple of 2^−1074/n, and not 0 unless meanLow is. */
const LOW_PROBE_LOG2 = 1074;
/** A prescale for the mean's low part leaves the data's size (mean, spread) below 2^900: √n·σ·2^k stays finite. */
const SIZE_CAP_LOG2 = 900;

/**
 * k for a feature of ordinary spread whose mean's low part (what rounding the exact mean to a
 * double left out) is not 0 but below 2^−1022, where a double keeps fewer than 53 bits of it, or
 * none (a mean near 0 of values as small as 5e−324; a mean 2^−1031 from a double): x − μ near the
 * mean, which is about that low part, would lose it, and so would y there. The power of two that
 * makes the low part a normal double, as far as the data's size allows; 0 where it is 0 or normal.
 * `lowProbe`: meanLow·2^1074 (LOW_PROBE_LOG2).
 */
function lowPartLog2(lowProbe: number, mean: number, variance: number | Ratio, epsilon: number): number {
  if (lowProbe === 0 || !(Math.abs(lowProbe) < 2 ** (LOW_PROBE_LOG2 - 1022))) return 0;
  // meanLow·2^k ≥ 2^−1022: k ≥ −1022 − log2|meanLow| = (LOW_PROBE_LOG2 − 1022) − log2|lowProbe|.
  const needed = LOW_PROBE_LOG2 - 1022 - Math.floor(Math.log2(Math.abs(lowProbe)));
  const size = Math.max(log2Of(variance, epsilon) / 2, mean === 0 ? -Infinity : Math.log2(Math.abs(mean)));
  return Math.max(0, Math.min(needed, MAX_PRESCALE_LOG2, SIZE_CAP_LOG2 - Math.ceil(size)));
}

/** log2(σ² + ε), to within one (enough to choose a power of two); −Infinity for 0. */
function log2Of(variance: number | Ratio, epsilon: number): number {
  const eps = epsilon > 0 ? Math.log2(epsilon) : -Infinity;
  if (typeof variance === 'number') return variance > 0 ? Math.max(Math.log2(variance), eps) : eps;
  // The fast path's approximation, where it has one of ordinary size: no BigInt for most features.
  const approx = variance.approx?.hi;
  if (approx !== undefined && approx >= 2 ** -1000) return Math.max(Math.log2(approx), eps);
  if (variance.num <= 0n) return eps;
  return Math.max(bitLength(variance.num) - bitLength(variance.den) + variance.exp, eps);
}

/** variance·4^k exactly. */
function timesFourTo(variance: number | Ratio, k: number): Ratio {
  const r = typeof variance === 'number' ? ratioOf(variance) : variance;
  return { num: r.num, den: r.den, exp: r.exp + 2 * k };
}
