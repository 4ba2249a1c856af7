import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exactScale, exactUnscale, ratioOf } from '../../src/engine/exact-scale.js';
import { Moments } from '../../src/engine/moments.js';
import { roundSqrtQuotient } from '../../src/engine/round-rational.js';
import { seededRandom, toDyadic } from '../helpers/exact.js';

/** The doubles next to a positive finite s (s's neighbours below and above). */
function neighbours(s: number): [number, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, s);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, bits - 1n);
  const below = view.getFloat64(0);
  view.setBigUint64(0, bits + 1n);
  return [below, view.getFloat64(0)];
}

/** a·2^e compared with b·2^f: −1, 0 or 1, exactly. */
function compare(a: bigint, e: number, b: bigint, f: number): number {
  const low = Math.min(e, f);
  const x = a << BigInt(e - low);
  const y = b << BigInt(f - low);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether s is a double nearest to √(p/q·2^e): the midpoints between s and its neighbours
 * bracket the root, i.e. lo² ≤ p/q·2^e ≤ hi² (lo² ≤ Q ⇔ lo²·q ≤ p·2^e), checked exactly.
 */
function isNearestRoot(s: number, p: bigint, q: bigint, e: number): boolean {
  const [below, above] = neighbours(s);
  const mid = (x: number) => {
    const a = toDyadic(x);
    const b = toDyadic(s);
    const low = Math.min(a.exp, b.exp) - 1;
    return { m: (a.mant << BigInt(a.exp - low)) + (b.mant << BigInt(b.exp - low)), e: low - 1 };
  };
  const lo = mid(below);
  const hi = mid(above);
  return compare(lo.m * lo.m * q, 2 * lo.e, p, e) <= 0 && compare(p, e, hi.m * hi.m * q, 2 * hi.e) <= 0;
}

describe('roundSqrtQuotient: one rounding of a square root', () => {
  it('equals Math.sqrt (correctly rounded by IEEE 754) on doubles of every magnitude, subnormals included', () => {
    const rand = seededRandom(11);
    const xs = [5e-324, 1e-320, 2.2250738585072014e-308, 0.5, 1, 2, 3, 1e16 + 2, 1.7976931348623157e308];
    for (let i = 0; i < 3000; i++) xs.push(rand() * 2 ** Math.floor(rand() * 2098 - 1074));
    for (const x of xs) {
      if (x === 0) continue;
      const d = toDyadic(x);
      expect(roundSqrtQuotient(d.mant, 1n, d.exp), `√${x}`).toBe(Math.sqrt(x));
    }
  });

  it('is the nearest double to the root of a quotient (fast-check, checked exactly)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 200n }), fc.bigInt({ min: 1n, max: 1n << 200n }), fc.integer({ min: -600, max: 600 }), (p, q, e) => {
        const s = roundSqrtQuotient(p, q, e);
        return Number.isFinite(s) && s > 0 && isNearestRoot(s, p, q, e);
      }),
      { numRuns: 2000 },
    );
  });

  it('exact squares come out exact; zero is zero', () => {
    expect(roundSqrtQuotient(9n, 4n)).toBe(1.5);
    expect(roundSqrtQuotient(1n, 1n, -2)).toBe(0.5);
    expect(roundSqrtQuotient(0n, 7n)).toBe(0);
  });

  it('the exact check tells a neighbour from the nearest', () => {
    const [below, above] = neighbours(Math.SQRT2);
    expect(isNearestRoot(Math.SQRT2, 2n, 1n, 0)).toBe(true);
    expect(isNearestRoot(below, 2n, 1n, 0)).toBe(false);
    expect(isNearestRoot(above, 2n, 1n, 0)).toBe(false);
  });
});

describe('exactScale / exactUnscale: γ/√(σ² + ε) and √(σ² + ε)/γ rounded once', () => {
  /** Q = γ²/(V + ε) (or its inverse) as p/q·2^e from the test's own dyadics. */
  function quotient(values: readonly number[], eps: number, gamma: number, inverse: boolean) {
    const parts = values.map(toDyadic);
    const low = Math.min(...parts.map((d) => d.exp), toDyadic(eps).exp);
    const X = parts.map((d) => d.mant << BigInt(d.exp - low));
    const n = BigInt(values.length);
    const s1 = X.reduce((a, b) => a + b, 0n);
    const s2 = X.reduce((a, b) => a + b * b, 0n);
    const epsD = toDyadic(eps);
    // V + ε = (n·s2 − s1² + n²·ε·2^−2low)/n² · 2^(2low)
    const num = n * s2 - s1 * s1 + ((n * n * epsD.mant) << BigInt(epsD.exp - 2 * low));
    const den = n * n;
    const g = toDyadic(Math.abs(gamma));
    return inverse ? { p: num, q: den * g.mant * g.mant, e: 2 * low - 2 * g.exp } : { p: g.mant * g.mant * den, q: num, e: 2 * g.exp - 2 * low };
  }

  it.each([
    ['1e9 + noise', (r: () => number) => 1e9 + r() - 0.5],
    ['values near 1e-150', (r: () => number) => (1 + r()) * 1e-150],
    ['mixed magnitudes', (r: () => number) => 10 ** (r() * 6 - 3)],
    ['integers 0..9', (r: () => number) => Math.floor(r() * 10)],
  ])('%s: the nearest double, checked exactly', (_name, draw) => {
    const rand = seededRandom(5);
    for (let trial = 0; trial < 40; trial++) {
      const values = Array.from({ length: 2 + Math.floor(rand() * 50) }, () => draw(rand));
      const m = new Moments(1);
      for (const x of values) m.add(0, x);
      const eps = trial % 3 === 0 ? 0 : trial % 3 === 1 ? 1e-5 : 1e-3;
      const gamma = trial % 2 === 0 ? 1 : -2.5 * rand() - 0.1;
      const v = m.varianceRatio(0)!;
      const scale = exactScale(v, eps, gamma);
      if (v.num !== 0n || eps !== 0) {
        const q = quotient(values, eps, gamma, false);
        expect(isNearestRoot(Math.abs(scale), q.p, q.q, q.e), `scale of ${values.length} values`).toBe(true);
      }
      expect(Math.sign(scale) || 1).toBe(Math.sign(gamma));
      const unscale = exactUnscale(v, eps, gamma);
      const u = quotient(values, eps, gamma, true);
      if (u.p !== 0n) expect(isNearestRoot(Math.abs(unscale), u.p, u.q, u.e), `unscale of ${values.length} values`).toBe(true);
    }
  });

  it('σ² + ε = 0 gives a scale of 0 (every output β); γ = 0 gives γ', () => {
    expect(exactScale(ratioOf(0), 0, 3)).toBe(0);
    expect(exactScale(ratioOf(4), 0, 0)).toBe(0);
    expect(exactScale(ratioOf(4), 0, 1)).toBe(0.5);
    expect(exactUnscale(ratioOf(4), 0, -2)).toBe(-1);
  });

  it('flat = 1 (scikit-learn): where σ² + ε = 0 the scale is γ and its inverse 1/γ, negative γ included; elsewhere flat changes nothing', () => {
    expect(exactScale(ratioOf(0), 0, -2.5, 1)).toBe(-2.5);
    expect(exactUnscale(ratioOf(0), 0, -2.5, 1)).toBe(-0.4);
    expect(exactScale(ratioOf(0), 0, -2.5, 0)).toBe(0);
    expect(exactScale(ratioOf(4), 0, -3, 1)).toBe(exactScale(ratioOf(4), 0, -3, 0));
    expect(exactScale(ratioOf(4), 0, -3, 1)).toBe(-1.5);
  });

  it('a double variance: the same as float64 where float64 rounds once (ε = 0, γ = 1: 1/√v)', () => {
    const rand = seededRandom(9);
    for (let i = 0; i < 500; i++) {
      const v = (rand() + 0.01) * 2 ** Math.floor(rand() * 200 - 100);
      // 1/√v in float64 rounds twice; √v alone rounds once: compare that instead.
      expect(exactUnscale(ratioOf(v), 0, 1)).toBe(Math.sqrt(v));
    }
  });
});
