import { describe, it, expect } from 'vitest';
import { Moments } from '../../src/engine/moments.js';
import { initialRunningStats, updateRunningStats } from '../../src/engine/running-stats.js';
import type { RunningStats } from '../../src/engine/running-stats.js';
import { seededRandom } from '../helpers/exact.js';

const EPS = Number.EPSILON;

/** |actual − expected| ≤ tol, with a readable failure. */
function expectClose(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (error ${err} > tolerance ${tol})`);
  }
}

/** Moments of a batch given as one plain array per feature (NaN = missing). */
function batchOf(...columns: number[][]): Moments {
  const m = new Moments(columns.length);
  columns.forEach((col, j) => m.addColumn(j, Float64Array.from(col)));
  return m;
}

/** A few ulps of the expected value: the hand values below go through 2–4 roundings. */
const tolOf = (expected: number) => 8 * EPS * Math.abs(expected);

describe('initialRunningStats', () => {
  it('starts like torch.nn.BatchNorm1d: running_mean 0, running_var 1, num_batches_tracked 0', () => {
    const s = initialRunningStats(3);
    expect(Array.from(s.mean)).toEqual([0, 0, 0]);
    expect(Array.from(s.var)).toEqual([1, 1, 1]);
    expect(s.numBatchesTracked).toBe(0);
  });
});

describe('updateRunningStats: momentum 0.1 (PyTorch default), unbiased', () => {
  it('two batches, by hand', () => {
    // Feature 0: batch 1 = {1,2,3,4}: μ = 2.5, s² = 5/3 (Σ(x−μ)² = 5, ÷3); batch 2 = {10,20}: μ = 15, s² = 50.
    // Feature 1: batch 1 = {2,·,4,6} (one missing): μ = 4, s² = 4 (8 ÷ 2); batch 2 = {8,8}: μ = 8, s² = 0.
    //   after batch 1: mean = 0.9·0 + 0.1·2.5 = 0.25,   var = 0.9·1 + 0.1·5/3 = 1.0666…
    //                  mean = 0.9·0 + 0.1·4   = 0.4,    var = 0.9·1 + 0.1·4   = 1.3
    //   after batch 2: mean = 0.9·0.25 + 0.1·15 = 1.725, var = 0.9·1.0666… + 0.1·50 = 0.96 + 5 = 5.96
    //                  mean = 0.9·0.4  + 0.1·8  = 1.16,  var = 0.9·1.3 + 0.1·0 = 1.17
    const s0 = initialRunningStats(2);
    const s1 = updateRunningStats(s0, batchOf([1, 2, 3, 4], [2, NaN, 4, 6]), 0.1, 'unbiased');
    const expected1 = { mean: [0.25, 0.4], var: [0.9 + 1 / 6, 1.3] };
    for (let j = 0; j < 2; j++) {
      expectClose(s1.mean[j]!, expected1.mean[j]!, tolOf(expected1.mean[j]!), `batch 1 mean[${j}]`);
      expectClose(s1.var[j]!, expected1.var[j]!, tolOf(expected1.var[j]!), `batch 1 var[${j}]`);
    }
    expect(s1.numBatchesTracked).toBe(1);

    const s2 = updateRunningStats(s1, batchOf([10, 20], [8, 8]), 0.1, 'unbiased');
    const expected2 = { mean: [1.725, 1.16], var: [5.96, 1.17] };
    for (let j = 0; j < 2; j++) {
      expectClose(s2.mean[j]!, expected2.mean[j]!, tolOf(expected2.mean[j]!), `batch 2 mean[${j}]`);
      expectClose(s2.var[j]!, expected2.var[j]!, tolOf(expected2.var[j]!), `batch 2 var[${j}]`);
    }
    expect(s2.numBatchesTracked).toBe(2);
  });

  it('uses the exact PyTorch expression (1 − M)·running + M·batch, bit for bit', () => {
    // Reference: the ATen CPU kernel's formula, momentum * mean + (1 - momentum) * running,
    // evaluated inline with the batch's unbiased variance (the kernel's var_sum / (n − 1), which
    // bn takes correctly rounded).
    const rnd = seededRandom(1);
    let state = initialRunningStats(1);
    let mean = 0;
    let variance = 1;
    for (let b = 0; b < 20; b++) {
      const xs = Array.from({ length: 8 }, () => 1e3 + rnd() * 10);
      const batch = batchOf(xs);
      state = updateRunningStats(state, batch, 0.1, 'unbiased');
      mean = 0.1 * batch.mean(0) + (1 - 0.1) * mean;
      variance = 0.1 * batch.sampleVariance(0) + (1 - 0.1) * variance;
      expect(state.mean[0]).toBe(mean);
      expect(state.var[0]).toBe(variance);
    }
  });

  it('does not mutate the input state', () => {
    const s0 = initialRunningStats(1);
    const frozenMean = Float64Array.from(s0.mean);
    const frozenVar = Float64Array.from(s0.var);
    const s1 = updateRunningStats(Object.freeze(s0), batchOf([1, 2, 3, 4]), 0.1, 'unbiased');
    expect(s1).not.toBe(s0);
    expect(s1.mean).not.toBe(s0.mean);
    expect(Array.from(s0.mean)).toEqual(Array.from(frozenMean));
    expect(Array.from(s0.var)).toEqual(Array.from(frozenVar));
    expect(s0.numBatchesTracked).toBe(0);
  });

  it('momentum 1 replaces the buffers by the last batch', () => {
    // Hand: {1,2,3,4} → μ = 2.5, s² = 5/3.
    const s = updateRunningStats(initialRunningStats(1), batchOf([1, 2, 3, 4]), 1, 'unbiased');
    expect(s.mean[0]).toBe(2.5);
    expect(s.var[0]).toBe(5 / 3);
  });
});

describe('updateRunningStats: cumulative (PyTorch momentum=None)', () => {
  it('after k batches running_mean is the mean of the batch means, running_var the mean of the unbiased variances', () => {
    const rnd = seededRandom(2);
    let state: RunningStats = initialRunningStats(2);
    const means: number[] = [];
    const vars: number[] = [];
    for (let k = 1; k <= 25; k++) {
      const size = 2 + (k % 5);
      const batch = batchOf(
        Array.from({ length: size }, () => rnd() * 100),
        Array.from({ length: size }, () => 1e6 + rnd()),
      );
      state = updateRunningStats(state, batch, 'cumulative', 'unbiased');
      means.push(batch.mean(1));
      vars.push(batch.sampleVariance(1));
      expect(state.numBatchesTracked).toBe(k);
      // Reference: plain averages of the per-batch values (a different summation order).
      const avgMean = means.reduce((a, b) => a + b, 0) / k;
      const avgVar = vars.reduce((a, b) => a + b, 0) / k;
      expectClose(state.mean[1]!, avgMean, 1e-13 * Math.abs(avgMean), `k=${k} mean`);
      expectClose(state.var[1]!, avgVar, 1e-12 * Math.abs(avgVar), `k=${k} var`);
    }
  });

  it('the first batch replaces the initial 0/1 buffers exactly', () => {
    // Hand: {1,3,…,19} → μ = 10, s² = 330/9 (the seed example's 36.666…).
    const s = updateRunningStats(initialRunningStats(1), batchOf([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]), 'cumulative', 'unbiased');
    expect(s.mean[0]).toBe(10);
    expect(s.var[0]).toBe(330 / 9);
    expect(s.numBatchesTracked).toBe(1);
  });
});

describe('updateRunningStats: keras preset (momentum 0.01 in our convention, biased variance)', () => {
  it('one batch, by hand', () => {
    // Keras: moving = moving·0.99 + batch·0.01 with the biased batch variance.
    // {1,2,3,4}: μ = 2.5, σ² = 5/4 = 1.25.
    //   mean = 0.99·0 + 0.01·2.5 = 0.025;  var = 0.99·1 + 0.01·1.25 = 1.0025
    const s = updateRunningStats(initialRunningStats(1), batchOf([1, 2, 3, 4]), 0.01, 'biased');
    expectClose(s.mean[0]!, 0.025, tolOf(0.025), 'mean');
    expectClose(s.var[0]!, 1.0025, tolOf(1.0025), 'var');
  });

  it('accepts a single value per feature (biased variance 0)', () => {
    // Hand: {7}: μ = 7, σ² = 0 → mean = 0.07, var = 0.99.
    const s = updateRunningStats(initialRunningStats(1), batchOf([7]), 0.01, 'biased');
    expectClose(s.mean[0]!, 0.07, tolOf(0.07), 'mean');
    expectClose(s.var[0]!, 0.99, tolOf(0.99), 'var');
  });
});

describe('updateRunningStats: data whose M2 is beyond float64', () => {
  it('takes the batch variance from Moments, finite where M2 = Σ(x − μ)² is not', () => {
    // 10^5 values ±1e152: M2 = 1e309 overflows; the variances (1e304 and 1e304·n/(n−1)) do not.
    const n = 100_000;
    const batch = batchOf(Array.from({ length: n }, (_, i) => (i % 2 ? 1e152 : -1e152)));
    expect(batch.m2(0)).toBe(Infinity);
    const unbiased = updateRunningStats(initialRunningStats(1), batch, 'cumulative', 'unbiased');
    expectClose(unbiased.var[0]!, 1e304 / ((n - 1) / n), 1e-12 * 1e304, 'unbiased');
    const biased = updateRunningStats(initialRunningStats(1), batch, 0.5, 'biased');
    expectClose(biased.var[0]!, 0.5 + 0.5 * 1e304, 1e-12 * 1e304, 'biased');
  });
});

describe('updateRunningStats: programming errors', () => {
  it.each([
    ['momentum 0', 0],
    ['momentum > 1', 1.5],
    ['momentum NaN', NaN],
    ['momentum negative', -0.1],
  ])('rejects %s', (_name, momentum) => {
    expect(() => updateRunningStats(initialRunningStats(1), batchOf([1, 2]), momentum, 'unbiased')).toThrow(RangeError);
  });

  it('rejects fewer than 2 values for the unbiased variance, and a width mismatch', () => {
    expect(() => updateRunningStats(initialRunningStats(2), batchOf([1, 2], [3]), 0.1, 'unbiased')).toThrow(/feature 1/);
    expect(() => updateRunningStats(initialRunningStats(1), batchOf([NaN]), 0.1, 'biased')).toThrow(RangeError);
    expect(() => updateRunningStats(initialRunningStats(2), batchOf([1, 2]), 0.1, 'unbiased')).toThrow(RangeError);
  });
});
