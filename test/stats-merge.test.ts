/**
 * src/stats-merge.ts: merging the stats files of shards (SPEC §5). Expected values come from
 * exact rational arithmetic on the concatenated data (test/helpers/exact.ts), an implementation
 * independent of the engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Moments } from '../src/engine/moments.js';
import { mergeStatsFiles, type LabelledStats } from '../src/stats-merge.js';
import { summaryOf, type StatsFile } from '../src/stats-file.js';
import { exactMoments, seededRandom } from './helpers/exact.js';
import { expectBnError } from './helpers/run-bn.js';

/** The stats file of one shard (one feature per column array), as `--save-stats` would write it. */
function shard(label: string, columns: readonly (readonly number[])[], over: Partial<StatsFile> = {}): LabelledStats {
  const m = new Moments(columns.length);
  columns.forEach((col, f) => m.addColumn(f, Float64Array.from(col)));
  const stats: StatsFile = {
    features: columns.map((_, f) => `c${f + 1}`),
    weight: columns.map(() => 2),
    bias: columns.map(() => 1),
    runningMean: columns.map(() => 0),
    runningVar: columns.map(() => 1),
    numBatchesTracked: 1,
    eps: 1e-5,
    momentum: 'cumulative',
    preset: 'torch',
    ...summaryOf(m),
    ...over,
  };
  return { label, stats: Object.freeze(stats) };
}

const rel = (a: number, e: number) => (a === e ? 0 : Math.abs(a - e) / Math.abs(e));

describe('mergeStatsFiles', () => {
  it('three shards of the seed example give the whole: running_mean = mean, running_var = unbiased variance', () => {
    const xs = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    const merged = mergeStatsFiles([shard('a', [xs.slice(0, 2)]), shard('b', [xs.slice(2, 7)]), shard('c', [xs.slice(7)])]);
    expect(merged).toMatchObject({ count: [10], mean: [10], var: [33], runningMean: [10], numBatchesTracked: 3 });
    expect(rel(merged.runningVar[0]!, 330 / 9)).toBeLessThan(1e-15);
    expect(merged).toMatchObject({ features: ['c1'], weight: [2], bias: [1], eps: 1e-5, momentum: 'cumulative', preset: 'torch' });
  });

  it('keras preset: running_var is the merged biased variance, as Keras\'s moving variance is', () => {
    const over = { preset: 'keras', momentum: 0.01, eps: 1e-3 } as const;
    const merged = mergeStatsFiles([shard('a', [[1, 3, 5]], over), shard('b', [[7, 9, 11, 13, 15, 17, 19]], over)]);
    expect(merged.runningVar).toEqual([33]);
    expect(merged.momentum).toBe(0.01);
  });

  it('1e9 + noise: the merged count, mean and variances are the correctly rounded exact ones (reference: exact arithmetic)', () => {
    const rand = seededRandom(7);
    const data = Array.from({ length: 3001 }, () => 1e9 + (rand() - 0.5) * 60);
    const cuts = [0, 977, 2100, 3001];
    const shards = cuts.slice(1).map((end, k) => shard(`s${k}`, [data.slice(cuts[k], end)]));
    const exact = exactMoments(data);
    const merged = mergeStatsFiles(shards);
    expect(merged.count).toEqual([3001]);
    expect(merged.mean).toEqual([exact.mean]);
    expect(merged.var).toEqual([exact.variance]);
    expect(merged.runningVar).toEqual([exact.sampleVariance]);
    // Files of version 1 have no sums: merged through their rounded means (with mean_lo), the
    // variance is close, not exact; without mean_lo, the shard means rounded to ulp(1e9) cost ~1e-11.
    const withLow = shards.map(({ label, stats }) => {
      const m = new Moments(1);
      m.addColumn(0, Float64Array.from(data.slice(cuts[Number(label[1])], cuts[Number(label[1]) + 1])));
      return { label, stats: { ...stats, sum: undefined, sumOfSquares: undefined, meanLow: [m.meanLow(0)] } };
    });
    expect(rel(mergeStatsFiles(withLow).var[0]!, exact.variance)).toBeLessThanOrEqual(1e-12);
    const bare = shards.map(({ label, stats }) => ({ label, stats: { ...stats, sum: undefined, sumOfSquares: undefined } }));
    const rough = rel(mergeStatsFiles(bare).var[0]!, exact.variance);
    expect(rough).toBeGreaterThan(1e-12);
    expect(rough).toBeLessThan(1e-9);
  });

  it('any split of any data merges to the bits of one pass, associatively (fast-check; reference: exact arithmetic)', () => {
    const values = (offset: number) =>
      fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 })), { minLength: 1, maxLength: 40 }).map((xs) => xs.map((x) => offset + x));
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1e9, -3e12).chain((offset) => fc.tuple(values(offset), values(offset), values(offset))),
        ([a, b, c]) => {
          const [A, B, C] = [shard('a', [a]), shard('b', [b]), shard('c', [c])];
          const left = mergeStatsFiles([{ label: 'ab', stats: mergeStatsFiles([A, B]) }, C]);
          const right = mergeStatsFiles([A, { label: 'bc', stats: mergeStatsFiles([B, C]) }]);
          const whole = shard('whole', [[...a, ...b, ...c]]).stats;
          const exact = exactMoments([...a, ...b, ...c]);
          for (const m of [left, right]) {
            expect(m.count).toEqual([exact.count]);
            expect(m.numBatchesTracked).toBe(3);
            expect(m.mean).toEqual([exact.mean]);
            expect(m.var).toEqual([exact.variance]);
            expect(m.sum).toEqual(whole.sum);
            expect(m.sumOfSquares).toEqual(whole.sumOfSquares);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('files whose features, γ, β, ε, momentum or preset disagree: one error naming all of it', () => {
    const a = shard('a.json', [[1, 2], [3, 4]]);
    const b = shard('b.json', [[1, 2], [3, 4]], {
      features: ['c1', 'x'],
      bias: [1, 0],
      eps: 1e-3,
      momentum: 0.1,
    });
    expect(() => mergeStatsFiles([a, b])).toThrow(
      expect.objectContaining({
        code: 'BN_STATS_MISMATCH',
        exitCode: 1,
        location: { file: 'b.json' },
        message:
          'cannot merge with a.json: features differ (missing here: "c2"; only here: "x"); ' +
          'eps differs: 0.001 here, 0.00001 there; momentum differs: 0.1 here, null (cumulative) there',
      }),
    );
    const c = shard('c.json', [[1, 2], [3, 4]], { weight: [2, 5], bias: [0, 1], preset: 'keras' });
    expect(() => mergeStatsFiles([a, c])).toThrow(
      'cannot merge with a.json: weight (γ) differs for "c2": 5 here, 2 there; bias (β) differs for "c1": 0 here, 1 there; ' +
        'preset differs: "keras" here, "torch" there',
    );
    const d = shard('d.json', [[3, 4], [1, 2]], { features: ['c2', 'c1'] });
    expect(() => mergeStatsFiles([a, d])).toThrow(/features are in another order: "c2", "c1" here, "c1", "c2" there/);
    const e = shard('e.json', [[1, 2]], { features: undefined });
    expect(() => mergeStatsFiles([a, e])).toThrow(/one file names its features and the other does not/);
  });

  it('needs 2 values of a feature in all for the unbiased variance', () => {
    expect(() => mergeStatsFiles([shard('a', [[5]])])).toThrow(
      expect.objectContaining({ code: 'BN_TOO_FEW_VALUES', message: expect.stringMatching(/hold 1 value of this feature in all; its unbiased variance needs 2/) }),
    );
  });

  it('shards near ±1e300 whose merged variance is beyond float64: an error naming the feature, never null in the file', async () => {
    const near = shard('a.json', [[1e300, 1e300], [1, 2]]);
    const far = shard('b.json', [[-1e300, -1e300], [3, 4]]);
    await expectBnError(() => mergeStatsFiles([near, far]), {
      code: 'BN_OVERFLOW',
      exit: 1,
      location: { name: 'c1' },
      message: /beyond float64 range/,
    });
  });

  it('nothing to merge', () => {
    expect(() => mergeStatsFiles([])).toThrow(/nothing to merge/);
  });
});
