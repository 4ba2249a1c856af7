/**
 * `--gamma` / `--beta` (SPEC §3): one number for every feature, a comma list with one number per
 * feature, or `name=value,…` pairs (features not named keep the default). Parsed once at the
 * option boundary; resolved against the feature names once they are known.
 *
 * And the affine form every transform takes per value, y = ((x − a) − a_lo)·s + b with its
 * constants computed once per feature: training, inference and denormalize all apply it
 * (../pipeline/transform-batch.ts).
 */
import { normalizeScale } from '../engine/batch-norm.js';
import type { Ratio } from '../engine/exact-scale.js';
import { BnError } from '../errors.js';
import { didYouMean } from './closest-name.js';
import { parseDecimal } from '../io/numbers.js';

export type AffineSpec =
  | { kind: 'all'; value: number }
  | { kind: 'list'; values: number[] }
  | { kind: 'named'; values: Map<string, number> };

export function parseAffineSpec(flag: string, text: string): AffineSpec {
  const bad = (why: string) => new BnError('BN_BAD_OPTION', `${flag}: ${why}: ${JSON.stringify(text)}`);
  const parts = text.split(',').map((p) => p.trim());
  const number = (s: string): number => {
    const x = parseDecimal(s);
    if (!Number.isFinite(x)) throw bad(`not a finite number ${JSON.stringify(s)}`);
    return x;
  };
  if (parts.some((p) => p.includes('='))) {
    const values = new Map<string, number>();
    for (const part of parts) {
      const eq = part.lastIndexOf('=');
      if (eq <= 0) throw bad('expected name=value pairs');
      const name = part.slice(0, eq).trim();
      if (values.has(name)) throw bad(`feature ${JSON.stringify(name)} named twice`);
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
          `${flag}: no feature named ${unknown.map((n) => JSON.stringify(n)).join(', ')} (${[didYouMean(unknown, features), `features: ${features.join(', ')}`].filter(Boolean).join(' ')})`,
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
 * The per-feature constants of a transform y = ((x − mean) − meanLow)·scale + beta, by feature
 * position. meanLow is what rounding the mean to a double left out (training mode: the exact
 * batch mean is mean + meanLow to twice float64's precision; 0 elsewhere). Near the mean, x − mean
 * is exact (Sterbenz), so x − μ is then off by one rounding of a small number, not by the
 * rounding of μ: on 1e9 + N(0, 1) data that is 1e−16 relative instead of 1e−8.
 */
export interface AffineParams {
  mean: Float64Array;
  meanLow: Float64Array;
  scale: Float64Array;
  beta: Float64Array;
}

/**
 * Training normalize: y = γ·(x − μ)/√(σ² + ε) + β as (x − μ)·scale + β, scale = normalizeScale
 * rounded once from the exact variance (a square root and a division per feature, not per cell).
 */
export function affineParams(
  mean: Float64Array,
  variance: ArrayLike<number | Ratio>,
  epsilon: number,
  gamma: Float64Array,
  beta: Float64Array,
  meanLow: Float64Array = new Float64Array(mean.length),
  flat: 0 | 1 = 0,
): AffineParams {
  return { mean, meanLow, scale: mean.map((_, f) => normalizeScale(variance[f]!, epsilon, gamma[f]!, flat)), beta };
}
