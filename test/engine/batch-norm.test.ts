import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  normalizeColumn,
  denormalizeColumn,
  normalizeValue,
  denormalizeValue,
} from '../../src/engine/batch-norm.js';
import { Moments } from '../../src/engine/moments.js';
import { seededRandom } from '../helpers/exact.js';

/** |actual − expected| ≤ tol, with a readable failure. */
function expectClose(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (error ${err} > tolerance ${tol})`);
  }
}

const seedX1 = Float64Array.from([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
const seedX2 = Float64Array.from([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);

describe('normalize: seed example (SPEC preamble; corrected seed §4)', () => {
  const eps = 1e-5;

  it('x̂ of the first row is (1 − 10)/√(33 + ε) ≈ −1.5667, not −1.22', () => {
    const m = new Moments(1);
    m.addColumn(0, seedX1);
    const xhat = normalizeColumn(seedX1, seedX1.length, m.mean(0), m.variance(0), eps, 1, 0);
    // Independent: the textbook formula evaluated directly with the hand-computed μ = 10, σ² = 33.
    const expected = (1 - 10) / Math.sqrt(33 + eps);
    expectClose(xhat[0]!, expected, 1e-12 * Math.abs(expected), 'x̂[0]');
    expect(xhat[0]!).toBeCloseTo(-1.5667, 4);
  });

  it('y of the first row with γ = 2, β = 1 is 2·(1 − 10)/√(33 + 1e-5) + 1 ≈ −2.1334, for both features', () => {
    const m = new Moments(2);
    m.addColumn(0, seedX1);
    m.addColumn(1, seedX2);
    const y1 = normalizeColumn(seedX1, 10, m.mean(0), m.variance(0), eps, 2, 1);
    const y2 = normalizeColumn(seedX2, 10, m.mean(1), m.variance(1), eps, 2, 1);
    // Hand formula (x2's first row is 2 with μ = 11: the same deviation −9).
    const expected = (2 * (1 - 10)) / Math.sqrt(33 + 1e-5) + 1;
    expectClose(y1[0]!, expected, 1e-12 * Math.abs(expected), 'y1[0]');
    expectClose(y2[0]!, expected, 1e-12 * Math.abs(expected), 'y2[0]');
    expect(y1[0]!).toBeCloseTo(-2.1334, 4);
    // Every row against the hand formula.
    for (let i = 0; i < 10; i++) {
      const e = (2 * (seedX1[i]! - 10)) / Math.sqrt(33 + 1e-5) + 1;
      expectClose(y1[i]!, e, 1e-12 * Math.max(1, Math.abs(e)), `y1[${i}]`);
    }
  });
});

describe('normalizeColumn / denormalizeColumn', () => {
  it('missing values (NaN) stay NaN', () => {
    const xs = Float64Array.from([1, NaN, 3]);
    const y = normalizeColumn(xs, 3, 2, 1, 0, 1, 0);
    // Hand: (1−2)/1 = −1, (3−2)/1 = 1.
    expect(Array.from(y)).toEqual([-1, NaN, 1]);
    const x = denormalizeColumn(y, 3, 2, 1, 0, 1, 0);
    expect(Array.from(x)).toEqual([1, NaN, 3]);
  });

  it('writes in place when out is values, and leaves entries past length alone', () => {
    const xs = Float64Array.from([0, 2, 4, 99]);
    const out = normalizeColumn(xs, 3, 2, 4, 0, 1, 0, xs);
    expect(out).toBe(xs);
    // Hand: (x − 2)/√4 for 0, 2, 4; the fourth entry untouched.
    expect(Array.from(xs)).toEqual([-1, 0, 1, 99]);
    const fresh = normalizeColumn(Float64Array.from([0, 2, 4, 99]), 3, 2, 4, 0, 1, 0);
    expect(fresh.length).toBe(3);
  });

  it('rejects a length beyond the arrays', () => {
    const xs = new Float64Array(3);
    expect(() => normalizeColumn(xs, 4, 0, 1, 0, 1, 0)).toThrow(RangeError);
    expect(() => denormalizeColumn(xs, 3, 0, 1, 0, 1, 0, new Float64Array(2))).toThrow(RangeError);
  });

  it('σ² + ε = 0 (constant feature, ε = 0): every y is β, and denormalize gives back μ', () => {
    // PyTorch's InvStd convention: the inverse standard deviation is 0 when var and eps are both 0.
    const xs = Float64Array.from([5, 5, 5]);
    expect(Array.from(normalizeColumn(xs, 3, 5, 0, 0, 2, 0.5))).toEqual([0.5, 0.5, 0.5]);
    expect(normalizeValue(5, 5, 0, 0, 2, 0.5)).toBe(0.5);
    expect(Array.from(denormalizeColumn(Float64Array.from([0.5, 0.5]), 2, 5, 0, 0, 2, 0.5))).toEqual([5, 5]);
  });

  it('stays accurate on 1e9 + noise (subtracts the mean before scaling)', () => {
    const rnd = seededRandom(3);
    const xs = Float64Array.from({ length: 1000 }, () => 1e9 + (2 * rnd() - 1) * 30);
    const m = new Moments(1);
    m.addColumn(0, xs);
    const y = normalizeColumn(xs, xs.length, m.mean(0), m.variance(0), 0, 1, 0);
    // Reference: the normalized column has mean 0 and biased variance 1 (by construction);
    // recomputed here with the same Moments engine on data of order 1, where it is not stressed.
    const check = new Moments(1);
    check.addColumn(0, y);
    // x − μ is exact (Sterbenz), but μ itself is a float64: rounded by up to ulp(1e9)/2 = 2^-24,
    // which shifts every ŷ by up to 2^-24/σ (≈ 3.5e-9 here, about the quantization of the inputs).
    const sigma = Math.sqrt(m.variance(0));
    expectClose(check.mean(0), 0, 2 ** -24 / sigma + 1e-12, 'mean of ŷ');
    expectClose(check.variance(0), 1, 1e-12, 'var of ŷ');
  });
});

describe('column and single-value functions are bit-identical', () => {
  it('for random data and parameters', () => {
    const param = fc.record({
      mean: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
      variance: fc.double({ min: 0, max: 1e12, noNaN: true }),
      eps: fc.constantFrom(0, 1e-5, 1e-3),
      gamma: fc.double({ min: 0.01, max: 100, noNaN: true }),
      beta: fc.double({ min: -100, max: 100, noNaN: true }),
    });
    const data = fc.array(fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.constant(NaN)), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(param, data, (p, list) => {
        const xs = Float64Array.from(list);
        const y = normalizeColumn(xs, xs.length, p.mean, p.variance, p.eps, p.gamma, p.beta);
        const x = denormalizeColumn(y, y.length, p.mean, p.variance, p.eps, p.gamma, p.beta);
        for (let i = 0; i < xs.length; i++) {
          expect(Object.is(y[i], normalizeValue(xs[i]!, p.mean, p.variance, p.eps, p.gamma, p.beta))).toBe(true);
          expect(Object.is(x[i], denormalizeValue(y[i]!, p.mean, p.variance, p.eps, p.gamma, p.beta))).toBe(true);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('denormalize(normalize(x)) ≈ x', () => {
  it('to 1e-12 relative for random data (reference: the input itself)', () => {
    const param = fc.record({
      offset: fc.constantFrom(0, 100, -5e3, 1e6),
      spread: fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
      eps: fc.constantFrom(0, 1e-5, 1e-3),
      gamma: fc.oneof(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: -10, max: -0.1, noNaN: true })),
      beta: fc.double({ min: -10, max: 10, noNaN: true }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(param, (p) => {
        const rnd = seededRandom(p.seed);
        const xs = Float64Array.from({ length: 50 }, () => p.offset + (2 * rnd() - 1) * p.spread);
        const m = new Moments(1);
        m.addColumn(0, xs);
        const args = [m.mean(0), m.variance(0), p.eps, p.gamma, p.beta] as const;
        const back = denormalizeColumn(normalizeColumn(xs, xs.length, ...args), xs.length, ...args);
        // Relative to the data's magnitude: a value near 0 inside data of spread s is only
        // determined to ~EPS·s after subtracting the mean and adding it back.
        const scale = Math.abs(p.offset) + p.spread;
        for (let i = 0; i < xs.length; i++) {
          expectClose(back[i]!, xs[i]!, 1e-12 * Math.max(Math.abs(xs[i]!), scale), `x[${i}]`);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
