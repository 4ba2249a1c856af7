/**
 * src/engine/double-double.ts: the rounding test decides only what it can prove, and the fast
 * path it gives Moments and the scale agrees bit for bit with the exact BigInt path (and, for the
 * statistics, with the independent rationals of test/helpers/exact.ts) on columns of every kind,
 * including those built to sit on a rounding boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decide, exactly, fastRounding, type Approx } from '../../src/engine/double-double.js';
import { exactScale, exactUnscale } from '../../src/engine/exact-scale.js';
import { Moments } from '../../src/engine/moments.js';
import { exactMoments, seededRandom } from '../helpers/exact.js';

afterEach(() => {
  fastRounding.enabled = true;
});

const approx = (hi: number, lo: number, err: number): Approx => ({ hi, lo, err });

describe('decide', () => {
  it('gives the double nearest to hi + lo when the bound keeps it away from the midpoints', () => {
    expect(decide(approx(1.5, 2 ** -60, 2 ** -70))).toBe(1.5);
    expect(decide(approx(-3, -(2 ** -60), 0))).toBe(-3);
    expect(decide(exactly(0.1))).toBe(0.1);
  });

  it('an exact zero is 0; a zero with any bound is undecided (a variance that may be 0 or tiny)', () => {
    expect(decide(approx(0, 0, 0))).toBe(0);
    expect(decide(approx(0, 0, 2 ** -200))).toBeUndefined();
  });

  it('leaves a tie (hi + lo exactly halfway between two doubles) undecided, whatever the bound', () => {
    // 1 + 2^−53 is the midpoint of 1 and 1 + 2^−52.
    expect(decide(approx(1, 2 ** -53, 0))).toBeUndefined();
    expect(decide(approx(1 + 2 ** -52, -(2 ** -53), 0))).toBeUndefined();
  });

  it('leaves undecided an interval that reaches a midpoint', () => {
    // 2^−54 from the midpoint above 1.5, with a bound of 2^−54: it touches it.
    const ulp = 2 ** -52;
    expect(decide(approx(1.5, ulp / 2 - 2 ** -54, 2 ** -54))).toBeUndefined();
    expect(decide(approx(1.5, ulp / 2 - 2 ** -54, 2 ** -56))).toBe(1.5);
  });

  it('below a power of two the midpoint is a quarter ulp away: 1 − 2^−54 is a tie of 1 and its neighbour below', () => {
    expect(decide(approx(1, -(2 ** -54), 0))).toBeUndefined();
    expect(decide(approx(1, -(2 ** -55), 0))).toBe(1);
    // Above 1 the midpoint is half an ulp away, but the test takes the nearer gap on both sides.
    expect(decide(approx(1, 2 ** -54, 0))).toBeUndefined();
    expect(decide(approx(1, 2 ** -55, 0))).toBe(1);
  });

  it('leaves magnitudes outside [2^−450, 2^450] to the exact path', () => {
    expect(decide(exactly(2 ** -451))).toBeUndefined();
    expect(decide(exactly(2 ** 451))).toBeUndefined();
    expect(decide(exactly(1e-320))).toBeUndefined();
  });

  it('is off when switched off', () => {
    fastRounding.enabled = false;
    expect(decide(exactly(1.5))).toBeUndefined();
  });
});

/** Every statistic of every feature, and the scale and unscale for two ε and two γ. */
function everything(columns: Float64Array[]): number[] {
  const m = new Moments(columns.length);
  columns.forEach((c, j) => m.addColumn(j, c, c.length));
  const out: number[] = [];
  columns.forEach((_, j) => {
    out.push(m.mean(j), m.meanLow(j), m.variance(j), m.sampleVariance(j), m.m2(j));
    const ratio = m.varianceRatio(j);
    if (ratio === undefined) return;
    for (const eps of [0, 1e-5]) {
      for (const gamma of [1, -0.75]) out.push(exactScale(ratio, eps, gamma), exactUnscale(ratio, eps, gamma));
    }
  });
  return out;
}

/** The same with and without the fast path: bit for bit (Object.is: −0 and NaN too); how many the fast path decided. */
function compareBothWays(columns: Float64Array[]): number {
  fastRounding.enabled = false;
  const exact = everything(columns);
  fastRounding.enabled = true;
  const before = fastRounding.decided;
  const fast = everything(columns);
  expect(fast.length).toBe(exact.length);
  fast.forEach((v, i) => {
    if (!Object.is(v, exact[i])) throw new Error(`value ${i}: fast ${v}, exact ${exact[i]}`);
  });
  return fastRounding.decided - before;
}

const random = seededRandom(0x5eed);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const column = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
const decimal = (x: number, digits: number) => Number(x.toPrecision(digits));

/** Columns as real data and adversarial data have them. */
const KINDS: Record<string, (n: number) => Float64Array> = {
  'decimals of 8 digits': (n) => column(n, () => decimal(random() * 100 - 50, 8)),
  'full-precision doubles': (n) => column(n, () => gauss()),
  'small integers': (n) => column(n, () => Math.floor(random() * 20)),
  'around 1e6 (a variance ~1e−12 of the squared mean)': (n) => column(n, () => decimal(1e6 + random(), 10)),
  '1e9 + N(0, 1) (too much cancellation: exact path)': (n) => column(n, () => 1e9 + gauss()),
  '1e15 + k/8': (n) => column(n, (i) => 1e15 + (i % 13) / 8),
  'values ~1e−300 (outside the range: exact path)': (n) => column(n, () => random() * 1e-300),
  'values ~1e−100': (n) => column(n, () => random() * 1e-100),
  'values ~1e100': (n) => column(n, () => random() * 1e100),
  'mixed magnitudes 1e−3…1e3': (n) => column(n, () => 10 ** (random() * 6 - 3) * (random() < 0.5 ? -1 : 1)),
  'alternating ±1e16 + small': (n) => column(n, (i) => (i % 2 ? 1e16 : -1e16) + decimal(random(), 4)),
  'a constant': (n) => column(n, () => 3.7),
  'zeros': (n) => column(n, () => 0),
  'nine and zeros (a mean of 9/32)': (n) => column(n, (i) => (i === 0 ? 9 : 0)),
  'halves (exact means, ties in the rounding)': (n) => column(n, (i) => (i % 2) + 0.5),
  'with missing values': (n) => column(n, (i) => (i % 3 === 0 ? NaN : decimal(random() * 10, 6))),
};

describe('the fast path against the exact one', () => {
  for (const [kind, make] of Object.entries(KINDS)) {
    it(`${kind}: the same bits, batches of 1 to 600 rows`, () => {
      for (const n of [1, 2, 3, 7, 64, 256, 600]) compareBothWays([make(n), make(n)]);
    });
  }

  it('decides nearly every statistic of real-looking data (so the fast path is what runs)', () => {
    const decided = compareBothWays([KINDS['decimals of 8 digits']!(256), KINDS['full-precision doubles']!(256), KINDS['small integers']!(256)]);
    // 3 features × (mean, meanLow, variance, sample variance, M2 + 8 scales): 39 roundings.
    expect(decided).toBeGreaterThanOrEqual(36);
  });

  it('agrees with the rationals of the independent helper (mean, variances, M2) on every kind', () => {
    for (const make of Object.values(KINDS)) {
      for (const n of [2, 33, 256]) {
        const values = make(n);
        const m = new Moments(1);
        m.addColumn(0, values, n);
        const want = exactMoments(values);
        expect([m.mean(0), m.variance(0), m.sampleVariance(0), m.m2(0)]).toEqual([want.mean, want.variance, want.sampleVariance, want.m2]);
      }
    }
  });

  it('random columns near rounding boundaries: sums of a few values with long exact means', () => {
    for (let trial = 0; trial < 2000; trial++) {
      const n = 2 + Math.floor(random() * 5);
      const scale = 2 ** Math.floor(random() * 40 - 20);
      // Few values with 53-bit mantissas: means and variances whose exact value lies anywhere,
      // sometimes within the bound of a midpoint.
      compareBothWays([column(n, () => (random() + random() * 2 ** -30) * scale)]);
    }
  });

  it('a ratio read after its sums changed is refused, not computed from other sums', () => {
    const m = new Moments(1);
    m.addColumn(0, Float64Array.of(1, 2, 3, 4), 4);
    const ratio = m.varianceRatio(0)!;
    m.add(0, 5);
    expect(() => ratio.num).toThrow(/sums changed/);
  });
});
