import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Moments } from '../../src/engine/moments.js';
import { exactMoments, ratioToDouble, seededRandom, toDyadic } from '../helpers/exact.js';

const EPS = Number.EPSILON;

/** |actual − expected| ≤ tol, with a readable failure. */
function expectClose(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (error ${err} > tolerance ${tol})`);
  }
}

/** Moments of one feature from a plain array (NaN = missing), fed one value at a time. */
function momentsOf(xs: readonly number[]): Moments {
  const m = new Moments(1);
  for (const x of xs) m.add(0, x);
  return m;
}

const seedX1 = Object.freeze([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
const seedX2 = Object.freeze([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);

describe('exact reference helper (test/helpers/exact.ts)', () => {
  it('rounds rationals correctly', () => {
    // Number literals are correctly rounded by the JS parser: an independent oracle.
    expect(ratioToDouble(1n, 3n)).toBe(1 / 3);
    expect(ratioToDouble(1n, 10n)).toBe(0.1);
    expect(ratioToDouble(-7n, 2n)).toBe(-3.5);
    expect(ratioToDouble(3n, 1n, -2)).toBe(0.75);
  });

  it('rounds results beyond a numerator of 1024 bits, and subnormal results, correctly (ties to even)', () => {
    // A 1501-bit numerator: the quotient alone would overflow a double before scaling.
    expect(ratioToDouble(2n ** 1500n, 3n, -1400)).toBe(2 ** 100 / 3);
    expect(ratioToDouble(1n, 1n, 1024)).toBe(Infinity);
    // Subnormals, in units of 2^−1074: 1 → 5e-324; 1.5 and 2.5 tie to 2; 2/3 → 1.
    expect(ratioToDouble(1n, 1n, -1074)).toBe(5e-324);
    expect(ratioToDouble(3n, 2n, -1074)).toBe(1e-323);
    expect(ratioToDouble(5n, 2n, -1074)).toBe(1e-323);
    expect(ratioToDouble(1n, 3n, -1073)).toBe(5e-324);
    expect(ratioToDouble(1n, 3n, -1080)).toBe(0);
    // 1.5 − 2^−60 units: rounding to 53 bits first would make it the tie 1.5, then 2 units.
    expect(ratioToDouble(3n * 2n ** 59n - 1n, 2n ** 60n, -1074)).toBe(5e-324);
    // Every subnormal (and the boundary 2^−1022) is its own exact ratio, also as 3x/3.
    for (const x of [5e-324, 1.2345e-315, 2.2250738585072009e-308, 2 ** -1022]) {
      const d = toDyadic(x);
      expect(ratioToDouble(d.mant, 1n, d.exp)).toBe(x);
      expect(ratioToDouble(3n * d.mant, 3n, d.exp)).toBe(x);
    }
  });

  it('takes mixed magnitudes and a million values', () => {
    const mixed = exactMoments([1e-300, 1e150]);
    expect(mixed.mean).toBe(1e150 / 2);
    expect(mixed.variance).toBe((1e150 * 1e150) / 4);
    const many = exactMoments(new Float64Array(1_000_000).fill(0.1));
    expect(many).toMatchObject({ count: 1_000_000, mean: 0.1, variance: 0 });
  });

  it('computes the seed example exactly', () => {
    // Hand: mean 10, Σ(x−10)² = 2·(81+49+25+9+1) = 330 → 330/10 = 33, 330/9 = 36.666…
    const r = exactMoments(seedX1);
    expect(r).toEqual({ count: 10, mean: 10, variance: 33, sampleVariance: 330 / 9, m2: 330 });
  });
});

describe('Moments: seed example (SPEC preamble, corrected seed §4)', () => {
  it('gives mean [10, 11], biased var exactly 33 and sample var 36.666…', () => {
    const m = new Moments(2);
    for (let i = 0; i < seedX1.length; i++) {
      m.add(0, seedX1[i]!);
      m.add(1, seedX2[i]!);
    }
    // Expected by hand: Σx = 100 and 110 over 10 rows; Σ(x−μ)² = 330 for both columns.
    expect([m.count(0), m.count(1)]).toEqual([10, 10]);
    expect(m.mean(0)).toBe(10);
    expect(m.mean(1)).toBe(11);
    expect(m.variance(0)).toBe(33); // not 33.33 as the seed document says
    expect(m.variance(1)).toBe(33);
    const sampleExpected = 330 / 9; // 36.666…
    expectClose(m.sampleVariance(0), sampleExpected, 2 * EPS * sampleExpected, 'sample var x1');
    expectClose(m.sampleVariance(1), sampleExpected, 2 * EPS * sampleExpected, 'sample var x2');
    expect([m.min(0), m.max(0), m.min(1), m.max(1)]).toEqual([1, 19, 2, 20]);
    expect(m.m2(0)).toBe(330);
  });
});

describe('Moments: edge cases', () => {
  it('one value: variance 0, sample variance NaN', () => {
    const m = momentsOf([42.5]);
    expect(m.count(0)).toBe(1);
    expect(m.mean(0)).toBe(42.5);
    expect(m.variance(0)).toBe(0);
    expect(m.sampleVariance(0)).toBeNaN();
    expect(m.min(0)).toBe(42.5);
    expect(m.max(0)).toBe(42.5);
  });

  it('empty feature: count 0, NaN mean, variances, min and max; M2 0', () => {
    const m = new Moments(3);
    m.add(0, 1);
    for (const j of [1, 2]) {
      expect(m.count(j)).toBe(0);
      expect(m.mean(j)).toBeNaN();
      expect(m.variance(j)).toBeNaN();
      expect(m.sampleVariance(j)).toBeNaN();
      expect(m.min(j)).toBeNaN();
      expect(m.max(j)).toBeNaN();
      expect(m.m2(j)).toBe(0);
    }
  });

  it('width 0 is allowed; a negative or fractional width is not', () => {
    expect(new Moments(0).width).toBe(0);
    expect(() => new Moments(-1)).toThrow(RangeError);
    expect(() => new Moments(1.5)).toThrow(RangeError);
  });

  it.each([
    ['0.1', 0.1],
    ['1e9 + 0.3', 1e9 + 0.3],
    ['-123.456', -123.456],
  ])('constant column of 1e6 copies of %s: variance exactly 0, mean exact', (_name, c) => {
    const n = 1_000_000;
    // One value at a time …
    const a = new Moments(1);
    for (let i = 0; i < n; i++) a.add(0, c);
    // … and as one column.
    const b = new Moments(1);
    b.addColumn(0, new Float64Array(n).fill(c));
    for (const m of [a, b]) {
      expect(m.count(0)).toBe(n);
      expect(m.variance(0)).toBe(0);
      expect(m.sampleVariance(0)).toBe(0);
      expect(m.mean(0)).toBe(c);
      expect(m.min(0)).toBe(c);
      expect(m.max(0)).toBe(c);
    }
  });

  it('constant column stays exactly 0 through merges of shards', () => {
    const c = 1e9 + 0.3;
    const shards = [3, 1, 7].map((k) => momentsOf(Array.from({ length: k }, () => c)));
    const whole = shards[0]!.clone();
    whole.merge(shards[1]!);
    whole.merge(shards[2]!);
    expect(whole.count(0)).toBe(11);
    expect(whole.variance(0)).toBe(0);
    expect(whole.mean(0)).toBe(c);
  });

  it('missing values (NaN) are skipped, each feature keeps its own count', () => {
    const col0 = new Float64Array([1, NaN, 3, NaN, 5]);
    const col1 = new Float64Array([NaN, NaN, 10, 20, NaN]);
    const col2 = new Float64Array([NaN, NaN, NaN, NaN, NaN]);
    const m = new Moments(3);
    m.addColumn(0, col0);
    m.addColumn(1, col1);
    m.addColumn(2, col2);
    // Hand: col0 = {1,3,5}: mean 3, var 8/3; col1 = {10,20}: mean 15, var 25; col2 empty.
    expect([m.count(0), m.count(1), m.count(2)]).toEqual([3, 2, 0]);
    expect(m.mean(0)).toBe(3);
    expectClose(m.variance(0), 8 / 3, 2 * EPS * (8 / 3), 'var col0');
    expect(m.mean(1)).toBe(15);
    expect(m.variance(1)).toBe(25);
    expect(m.mean(2)).toBeNaN();
    // Same through add().
    const r = new Moments(3);
    for (let i = 0; i < 5; i++) {
      r.add(0, col0[i]!);
      r.add(1, col1[i]!);
      r.add(2, col2[i]!);
    }
    expect([r.count(0), r.count(1), r.count(2)]).toEqual([3, 2, 0]);
  });

  it('addColumn is bit-identical to add, honours length and skips leading NaN', () => {
    const rnd = seededRandom(7);
    const data = new Float64Array(500);
    for (let i = 0; i < data.length; i++) data[i] = rnd() < 0.1 ? NaN : 1e6 + rnd() * 100;
    data[0] = NaN;
    data[1] = NaN;
    const byColumn = new Moments(1);
    byColumn.addColumn(0, data.subarray(0, 200));
    byColumn.addColumn(0, data, 400); // values 0..399 again: state continues
    const byValue = new Moments(1);
    for (let i = 0; i < 200; i++) byValue.add(0, data[i]!);
    for (let i = 0; i < 400; i++) byValue.add(0, data[i]!);
    for (const f of ['count', 'mean', 'variance', 'm2', 'min', 'max'] as const) {
      expect(Object.is(byColumn[f](0), byValue[f](0)), f).toBe(true);
    }
    expect(() => byColumn.addColumn(1, data)).toThrow(RangeError);
    expect(() => byColumn.addColumn(0, data, 501)).toThrow(RangeError);
  });

  it('variance is never negative on adversarial near-constant data', () => {
    // Values that differ only in the last bits of 1e9: M2 must stay ≥ 0.
    const base = 1e9;
    const ulp = 2 ** -23; // ulp of 1e9 (2^29 ≤ 1e9 < 2^30 → 2^(29−52))
    const m = new Moments(1);
    const xs: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const x = base + ((i * 7919) % 5) * ulp;
      xs.push(x);
      m.add(0, x);
    }
    expect(m.variance(0)).toBeGreaterThanOrEqual(0);
    const exact = exactMoments(xs);
    expectClose(m.variance(0), exact.variance, 1e-12 * exact.variance, 'var');
  });
});

describe('Moments: huge offsets (expected values: exact BigInt rational arithmetic, test/helpers/exact.ts)', () => {
  it.each([
    // [offset, noise amplitude, seed]
    [1e9, 30, 1],
    [-1e9, 30, 2],
    [1e15, 3, 3],
    [1e15, 0.5, 4],
  ])('offset %d + noise of ±%d: variance to 1e-12, mean to 1e-15 relative', (offset, amp, seed) => {
    const rnd = seededRandom(seed);
    const xs = Array.from({ length: 1000 }, () => offset + (2 * rnd() - 1) * amp);
    const m = new Moments(1);
    for (const x of xs) m.add(0, x);
    const col = new Moments(1);
    col.addColumn(0, Float64Array.from(xs));
    const exact = exactMoments(xs);
    for (const got of [m, col]) {
      expect(got.count(0)).toBe(1000);
      expectClose(got.mean(0), exact.mean, 1e-15 * Math.abs(exact.mean), 'mean');
      expectClose(got.variance(0), exact.variance, 1e-12 * exact.variance, 'variance');
      expectClose(got.sampleVariance(0), exact.sampleVariance, 1e-12 * exact.sampleVariance, 'sample variance');
      expect(got.min(0)).toBe(Math.min(...xs));
      expect(got.max(0)).toBe(Math.max(...xs));
    }
  });

  it('merging shards with different shifts keeps that accuracy', () => {
    const rnd = seededRandom(11);
    const xs = Array.from({ length: 1000 }, () => 1e9 + (2 * rnd() - 1) * 30);
    const whole = new Moments(1);
    for (let start = 0; start < xs.length; start += 137) {
      whole.merge(momentsOf(xs.slice(start, start + 137)));
    }
    const exact = exactMoments(xs);
    expect(whole.count(0)).toBe(1000);
    expectClose(whole.mean(0), exact.mean, 1e-15 * Math.abs(exact.mean), 'mean');
    expectClose(whole.variance(0), exact.variance, 1e-12 * exact.variance, 'variance');
  });
});

/** |actual − expected| ≤ rel·|expected| + one subnormal spacing (2^−1074: a subnormal result has no more). */
function expectNear(actual: number, expected: number, rel: number, what: string): void {
  expectClose(actual, expected, rel * Math.abs(expected) + 2 ** -1074, what);
}

describe('Moments: exact sums, correctly rounded statistics (expected values: exact BigInt rational arithmetic, test/helpers/exact.ts)', () => {
  it('every statistic is the correctly rounded exact value, by add, by addColumn and merged from any split (reference: exact BigInt arithmetic)', () => {
    const anyDouble = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e150, max: 1e150 }),
      fc.constantFrom(0, -0, 5e-324, -5e-324, 1e-300, 0.1, 1e9 + 0.5, -1e15),
      fc.constant(NaN),
    );
    fc.assert(
      fc.property(fc.constantFrom(0, 1e9, -1e15), fc.array(anyDouble, { maxLength: 40 }), fc.nat(), (offset, raw, cut) => {
        const xs = raw.map((x) => x + offset);
        const exact = exactMoments(xs);
        const k = xs.length === 0 ? 0 : cut % (xs.length + 1);
        const merged = momentsOf(xs.slice(0, k));
        merged.merge(momentsOf(xs.slice(k)));
        const byColumn = new Moments(1);
        byColumn.addColumn(0, Float64Array.from(xs));
        for (const m of [momentsOf(xs), byColumn, merged]) {
          expect(m.count(0)).toBe(exact.count);
          if (exact.count === 0) continue;
          expect(m.mean(0)).toBe(exact.mean);
          expect(m.variance(0)).toBe(exact.variance);
          expect(m.m2(0)).toBe(exact.m2);
          expect(Object.is(m.sampleVariance(0), exact.sampleVariance) || m.sampleVariance(0) === exact.sampleVariance).toBe(true);
        }
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  const rnd = seededRandom(2024);
  const cases: Array<[string, number[]]> = [
    // Subnormal deviations: δ/n rounded to the subnormal spacing at every step made the mean ~1% off.
    ['subnormal values (multiples of 5e-324 up to 5e-321)', Array.from({ length: 1000 }, () => 5e-324 * Math.floor(rnd() * 1000))],
    ['values near 3e-308 (subnormal deviations), 10^5 of them', Array.from({ length: 100_000 }, () => 3e-308 * (0.5 + rnd()))],
    ['values near 1e-160 (variance ~1e-322, a subnormal)', Array.from({ length: 1000 }, () => 1e-160 * (0.5 + rnd()))],
    ['values near 1e-300 with relative noise 1e-8 (variance underflows to 0)', Array.from({ length: 1000 }, () => 1e-300 * (1 + (rnd() - 0.5) * 1e-8))],
    // M2 = Σ(x − mean)² ≈ 8e308 overflowed although the variance ≈ 8e304 is a double.
    ['values near 1e154, 10^4 of them (M2 beyond float64, the variance not)', Array.from({ length: 10_000 }, () => 1e154 * (1 + (rnd() - 0.5) / 10))],
    ['mixed magnitudes 1e-300 … 1e150, positive', Array.from({ length: 1000 }, () => 10 ** (rnd() * 450 - 300))],
    ['a tiny first deviation, then huge ones (the scale goes down, then up)', [1e-300, 3e-300, 2e-300, ...Array.from({ length: 100 }, () => 1e150 * (1 + rnd()))]],
  ];

  // Welford's mean is off by ~√n·ε·σ (rounding in μ += δ/n), so a mean to 1e-14 needs σ/|mean| small
  // enough for n: these cases have it (zero-mean data would be judged against σ instead).
  it.each(cases)('%s: mean to 1e-14, variance to 1e-12 (or one subnormal spacing), through add, addColumn, merges and summaries', (_name, xs) => {
    const exact = exactMoments(xs);
    const byValue = momentsOf(xs);
    const byColumn = new Moments(1);
    byColumn.addColumn(0, Float64Array.from(xs));
    const shards = (size: number) => {
      const m = new Moments(1);
      for (let i = 0; i < xs.length; i += size) m.merge(momentsOf(xs.slice(i, i + size)));
      return m;
    };
    const halves = [xs.slice(0, xs.length >> 1), xs.slice(xs.length >> 1)].map((part) => {
      const m = momentsOf(part);
      return Moments.fromSummary({ count: [m.count(0)], mean: [m.mean(0)], meanLow: [m.meanLow(0)], var: [m.variance(0)] });
    });
    const fromSummaries = halves[0]!;
    fromSummaries.merge(halves[1]!);
    for (const [how, m] of [['add', byValue], ['addColumn', byColumn], ['shards of 7', shards(7)], ['shards of 1000', shards(1000)], ['summaries', fromSummaries]] as const) {
      expect(m.count(0)).toBe(xs.length);
      expectNear(m.mean(0), exact.mean, 1e-14, `${how}: mean`);
      expectNear(m.variance(0), exact.variance, 1e-12, `${how}: variance`);
      expectNear(m.sampleVariance(0), exact.sampleVariance, 1e-12, `${how}: sample variance`);
      expect(m.variance(0)).toBeGreaterThanOrEqual(0);
    }
  });

  it('M2 may be beyond float64 where the variance is not: m2() says Infinity', () => {
    const m = new Moments(1);
    m.addColumn(0, Float64Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 1e152 : -1e152)));
    expectClose(m.variance(0), 1e152 * 1e152, 1e-12 * 1e304, 'variance');
    expect(m.m2(0)).toBe(Infinity);
  });

  it('a variance beyond float64 (values near ±1e300) is Infinity, and values ±1.7e308 apart give no finite statistic', () => {
    const big = momentsOf([1e300, -1e300, 1e300]);
    expect(big.mean(0)).toBeCloseTo(1e300 / 3, -290);
    expect(big.variance(0)).toBe(Infinity);
    const apart = momentsOf([1.7e308, -1.7e308]);
    expect(Number.isFinite(apart.mean(0)) && Number.isFinite(apart.variance(0))).toBe(false);
    const merged = momentsOf([1.7e308]);
    merged.merge(momentsOf([-1.7e308]));
    expect(Number.isFinite(merged.mean(0)) && Number.isFinite(merged.variance(0))).toBe(false);
  });
});

/** Merged vs reference: count, min and max exact; mean to 1e-12 of the data's scale; variance to 1e-12 relative (above underflow). */
function expectSameMoments(got: Moments, want: Moments, scale: number): void {
  expect(got.count(0)).toBe(want.count(0));
  if (want.count(0) === 0) {
    expect(got.mean(0)).toBeNaN();
    return;
  }
  expect(got.min(0)).toBe(want.min(0));
  expect(got.max(0)).toBe(want.max(0));
  // The mean of data of magnitude `scale` is only defined to ~EPS·scale (it may be near 0).
  expectClose(got.mean(0), want.mean(0), 1e-12 * Math.max(Math.abs(want.mean(0)), scale), 'mean');
  // The 1e-300 floor: squares of deviations below ~1e-154 underflow into float64's subnormal
  // range, where no relative accuracy exists (fast-check finds e.g. [0] and [0, 3e-162]).
  expectClose(got.variance(0), want.variance(0), 1e-12 * want.variance(0) + 1e-300, 'variance');
  expect(got.variance(0)).toBeGreaterThanOrEqual(0);
}

function maxAbs(...arrays: readonly (readonly number[])[]): number {
  let s = 0;
  for (const xs of arrays) for (const x of xs) if (!Number.isNaN(x)) s = Math.max(s, Math.abs(x));
  return s;
}

// Doubles in [−1e6, 1e6], with missing values mixed in.
const boundedValue = fc.oneof(
  { weight: 9, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);
const boundedArray = fc.array(boundedValue, { maxLength: 40 }).map((a) => Object.freeze(a));

// A large common offset plus noise: the hard case for variance.
const offsetArrays = fc
  .tuple(
    fc.constantFrom(1e9, -1e9, 1e12, 1e15),
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 40 }),
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 40 }),
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 40 }),
  )
  .map(([offset, a, b, c]) => [a, b, c].map((xs) => Object.freeze(xs.map((x) => offset + x))) as [
    readonly number[],
    readonly number[],
    readonly number[],
  ]);

describe('Moments.merge (fast-check properties; reference: the same engine fed A ++ B in one stream)', () => {
  it('merge(moments(A), moments(B)) equals moments(A ++ B) — bounded doubles', () => {
    fc.assert(
      fc.property(boundedArray, boundedArray, (a, b) => {
        const merged = momentsOf(a);
        merged.merge(momentsOf(b));
        expectSameMoments(merged, momentsOf([...a, ...b]), maxAbs(a, b));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('merge(moments(A), moments(B)) equals moments(A ++ B) — large common offset', () => {
    fc.assert(
      fc.property(offsetArrays, ([a, b]) => {
        const merged = momentsOf(a);
        merged.merge(momentsOf(b));
        expectSameMoments(merged, momentsOf([...a, ...b]), maxAbs(a, b));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('merge agrees with exact arithmetic on A ++ B — large common offset', () => {
    fc.assert(
      fc.property(offsetArrays, ([a, b]) => {
        const merged = momentsOf(a);
        merged.merge(momentsOf(b));
        const exact = exactMoments([...a, ...b]);
        expect(merged.count(0)).toBe(exact.count);
        if (exact.count === 0) return;
        expectClose(merged.mean(0), exact.mean, 1e-15 * Math.abs(exact.mean), 'mean');
        expectClose(merged.variance(0), exact.variance, 1e-12 * exact.variance, 'variance');
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('merge is associative: (A·B)·C equals A·(B·C)', () => {
    const check = (a: readonly number[], b: readonly number[], c: readonly number[]) => {
      const left = momentsOf(a);
      left.merge(momentsOf(b));
      left.merge(momentsOf(c));
      const bc = momentsOf(b);
      bc.merge(momentsOf(c));
      const right = momentsOf(a);
      right.merge(bc);
      expectSameMoments(left, right, maxAbs(a, b, c));
    };
    fc.assert(fc.property(boundedArray, boundedArray, boundedArray, check), { seed: 42, numRuns: 200 });
    fc.assert(
      fc.property(offsetArrays, ([a, b, c]) => check(a, b, c)),
      { seed: 42, numRuns: 200 },
    );
  });

  it('merge with an empty side is the identity (bit for bit), on either side', () => {
    fc.assert(
      fc.property(boundedArray, (a) => {
        const m = momentsOf(a);
        const right = m.clone();
        right.merge(new Moments(1));
        const left = new Moments(1);
        left.merge(m);
        for (const got of [right, left]) {
          for (const f of ['count', 'mean', 'variance', 'm2', 'min', 'max'] as const) {
            expect(Object.is(got[f](0), m[f](0)), f).toBe(true);
          }
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('merge does not change its argument, and merging with itself doubles the data', () => {
    const a = momentsOf([1, 2, 3, 4]);
    const b = momentsOf([10, 20]);
    const bBefore = b.clone();
    a.merge(b);
    expect([b.count(0), b.mean(0), b.variance(0)]).toEqual([bBefore.count(0), bBefore.mean(0), bBefore.variance(0)]);
    const self = momentsOf([1, 2, 3, 4]);
    self.merge(self);
    // Reference: {1,2,3,4,1,2,3,4} has mean 2.5 and the same biased variance 1.25 (by hand).
    expect([self.count(0), self.mean(0), self.variance(0)]).toEqual([8, 2.5, 1.25]);
  });

  it('rejects a width mismatch', () => {
    expect(() => new Moments(2).merge(new Moments(3))).toThrow(RangeError);
  });
});

describe('Moments.fromSummary', () => {
  it('round trip: Moments → summary → fromSummary keeps count, mean, var, min, max', () => {
    fc.assert(
      fc.property(boundedArray, (a) => {
        const m = momentsOf(a);
        const back = Moments.fromSummary({
          count: [m.count(0)],
          mean: [m.mean(0)],
          var: [m.variance(0)],
          min: [m.min(0)],
          max: [m.max(0)],
        });
        expect(back.count(0)).toBe(m.count(0));
        if (m.count(0) === 0) {
          expect(back.mean(0)).toBeNaN();
          return;
        }
        expect(back.mean(0)).toBe(m.mean(0)); // the mean is stored as the shift: exact
        // var·n/n rounds twice: within 2 ulp.
        expectClose(back.variance(0), m.variance(0), 2 * EPS * m.variance(0), 'var');
        expect(back.min(0)).toBe(m.min(0));
        expect(back.max(0)).toBe(m.max(0));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  /** Moments of xs cut into shards of `size`, each saved as a summary and merged back. */
  function mergeShardSummaries(xs: readonly number[], size: number, withMeanLow: boolean): Moments {
    const merged = new Moments(1);
    for (let start = 0; start < xs.length; start += size) {
      const shard = momentsOf(xs.slice(start, start + size));
      merged.merge(
        Moments.fromSummary({
          count: [shard.count(0)],
          mean: [shard.mean(0)],
          var: [shard.variance(0)],
          min: [shard.min(0)],
          max: [shard.max(0)],
          ...(withMeanLow ? { meanLow: [shard.meanLow(0)] } : {}),
        }),
      );
    }
    return merged;
  }

  it.each([
    // [offset, noise, withMeanLow]
    [0, 30, false],
    [100, 30, false],
    [1e9, 30, true],
    [1e15, 3, true],
  ])(
    'merging summaries of shards equals the whole: offset %d, noise ±%d, meanLow %s (reference: exact arithmetic)',
    (offset, amp, withMeanLow) => {
      const rnd = seededRandom(5);
      const xs = Array.from({ length: 1000 }, () => (rnd() < 0.05 ? NaN : offset + (2 * rnd() - 1) * amp));
      const merged = mergeShardSummaries(xs, 250, withMeanLow);
      const exact = exactMoments(xs);
      expect(merged.count(0)).toBe(exact.count);
      // Mean: 1e-15 relative to the data's magnitude (the mean itself may be near 0).
      expectClose(merged.mean(0), exact.mean, 1e-15 * Math.max(Math.abs(exact.mean), offset + amp), 'mean');
      expectClose(merged.variance(0), exact.variance, 1e-12 * exact.variance, 'variance');
      const present = xs.filter((x) => !Number.isNaN(x));
      expect(merged.min(0)).toBe(Math.min(...present));
      expect(merged.max(0)).toBe(Math.max(...present));
    },
  );

  it('without meanLow, summaries of 1e9 + noise merge to ~1e-10 only (the rounded means limit it)', () => {
    // Documents the limit that `meanLow` removes: each shard mean is rounded to ulp(1e9) ≈ 1.2e-7.
    const rnd = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => 1e9 + (2 * rnd() - 1) * 30);
    const exact = exactMoments(xs);
    const plain = mergeShardSummaries(xs, 250, false);
    expectClose(plain.variance(0), exact.variance, 1e-8 * exact.variance, 'variance (mean only)');
    const full = mergeShardSummaries(xs, 250, true);
    expectClose(full.variance(0), exact.variance, 1e-12 * exact.variance, 'variance (with meanLow)');
  });

  it('meanLow round trips and mean() + meanLow() is a double-double of the mean', () => {
    const rnd = seededRandom(9);
    const xs = Array.from({ length: 100 }, () => 1e9 + rnd());
    const m = momentsOf(xs);
    const low = m.meanLow(0);
    expect(Math.abs(low)).toBeLessThanOrEqual(2 ** -23 / 2); // at most half an ulp of 1e9
    expect(m.mean(0) + low).toBe(m.mean(0));
    const back = Moments.fromSummary({ count: [100], mean: [m.mean(0)], var: [m.variance(0)], meanLow: [low] });
    expect(back.mean(0)).toBe(m.mean(0));
    expect(back.meanLow(0)).toBe(low);
    expect(new Moments(1).meanLow(0)).toBeNaN();
    expect(momentsOf([3, 5]).meanLow(0)).toBe(0);
  });

  it('merges the seed example from two halves and several features', () => {
    // Halves of the seed columns: x1 = {1,3,5,7,9} | {11,…,19}; x2 = {2,…,10} | {12,…,20}.
    // Each half: mean 5/15 (x1), 6/16 (x2), biased var 8 (Σ(x−μ)² = 40 over 5).
    const s1 = { count: [5, 5], mean: [5, 6], var: [8, 8] };
    const s2 = { count: [5, 5], mean: [15, 16], var: [8, 8] };
    const m = Moments.fromSummary(s1);
    m.merge(Moments.fromSummary(s2));
    // Whole (hand, seed example): mean [10, 11], var 33 = (40 + 40 + 10²·5·5/10)/10.
    expect([m.count(0), m.count(1)]).toEqual([10, 10]);
    expect([m.mean(0), m.mean(1)]).toEqual([10, 11]);
    expect([m.variance(0), m.variance(1)]).toEqual([33, 33]);
    // No min/max in the summaries: unknown.
    expect(m.min(0)).toBeNaN();
    expect(m.max(1)).toBeNaN();
  });

  it('count 0 is an empty feature; unknown min/max stay unknown after adds and merges', () => {
    const m = Moments.fromSummary({ count: [0, 3], mean: [0, 2], var: [0, 1] });
    expect(m.mean(0)).toBeNaN();
    m.add(0, 5);
    expect([m.count(0), m.mean(0), m.min(0), m.max(0)]).toEqual([1, 5, 5, 5]);
    m.add(1, 100);
    expect(m.min(1)).toBeNaN();
    expect(m.max(1)).toBeNaN();
    const known = new Moments(2);
    known.add(1, -1);
    known.merge(m);
    expect(known.min(1)).toBeNaN();
  });

  it('rejects malformed summaries', () => {
    expect(() => Moments.fromSummary({ count: [1, 2], mean: [0], var: [0, 0] })).toThrow(RangeError);
    expect(() => Moments.fromSummary({ count: [1.5], mean: [0], var: [0] })).toThrow(RangeError);
    expect(() => Moments.fromSummary({ count: [2], mean: [0], var: [-1] })).toThrow(RangeError);
    expect(() => Moments.fromSummary({ count: [2], mean: [Infinity], var: [0] })).toThrow(RangeError);
    expect(() => Moments.fromSummary({ count: [2], mean: [0], var: [0], meanLow: [NaN] })).toThrow(RangeError);
  });
});

describe('Moments.clone', () => {
  it('is independent of the original', () => {
    const a = momentsOf([1, 2, 3]);
    const b = a.clone();
    b.add(0, 100);
    expect(a.count(0)).toBe(3);
    expect(a.max(0)).toBe(3);
    expect(b.count(0)).toBe(4);
  });
});

describe('Moments.pick', () => {
  it('copies the chosen features exactly, in the order given', () => {
    const m = new Moments(3);
    m.addColumn(0, Float64Array.from([1, 2, 3]));
    m.addColumn(2, Float64Array.from([1e9 + 1, 1e9 + 2, NaN, 1e9 + 4]));
    const p = m.pick([2, 0]);
    expect(p.width).toBe(2);
    for (const [f, j] of [[0, 2], [1, 0]] as const) {
      expect([p.count(f), p.mean(f), p.meanLow(f), p.m2(f), p.min(f), p.max(f)]).toEqual([
        m.count(j), m.mean(j), m.meanLow(j), m.m2(j), m.min(j), m.max(j),
      ]);
    }
    // Independent of the original, and it keeps merging like the original (same shift).
    p.add(0, 1e9 + 5);
    expect(m.count(2)).toBe(3);
    const direct = m.clone();
    direct.add(2, 1e9 + 5);
    expect(p.mean(0)).toBe(direct.mean(2));
    expect(p.m2(0)).toBe(direct.m2(2));
  });

  it('rejects an index out of range', () => {
    expect(() => new Moments(2).pick([2])).toThrow(RangeError);
    expect(() => new Moments(2).pick([-1])).toThrow(RangeError);
  });
});

describe('Moments.meanLowTimes: the mean low part times 2^k, rounded once (reference: exact BigInt rationals)', () => {
  /** (Σx/n − mean)·2^k rounded to a double, from the exact sum. */
  function lowTimes(xs: readonly number[], mean: number, k: number): number {
    const parts = [...xs.map(toDyadic), toDyadic(mean)];
    const e = Math.min(...parts.map((d) => d.exp));
    const units = (d: { mant: bigint; exp: number }) => d.mant << BigInt(d.exp - e);
    const n = BigInt(xs.length);
    const residue = xs.map(toDyadic).reduce((a, d) => a + units(d), 0n) - n * units(toDyadic(mean));
    // residue·2^(e + k)/n
    return e + k >= 0 ? ratioToDouble(residue << BigInt(e + k), n) : ratioToDouble(residue, n << BigInt(-(e + k)));
  }

  it.each([
    ['an exact mean (its low part 0)', [1, 2, 3, 6]],
    ['a low part of ordinary size', [0.1, 0.2, 0.7]],
    ['a low part below the least subnormal (a mean near 0 of 5e-324s)', [1e-250, -1e-250, 5e-324, 1e-323]],
    ['a mean that rounds to 0', [1e-20, -1e-20, 5e-324]],
  ])('%s', (_name, xs) => {
    const m = new Moments(1);
    for (const x of xs) m.add(0, x);
    for (const k of [0, 54, 500, 1074]) expect(m.meanLowTimes(0, k), `k = ${k}`).toBe(lowTimes(xs, m.mean(0), k));
  });
});
