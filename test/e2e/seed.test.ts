/**
 * The seed example (SPEC intro, seed/batch-normalization.md §4 with its numbers corrected):
 * x = [[1,2],[3,4],…,[19,20]]. By hand: μ_B = [10, 11]; Σ(x−μ)² = 2·(81+49+25+9+1) = 330, so
 * σ_B² = 330/10 = 33 (the seed's 33.33 is wrong) and the sample variance 330/9 = 36.666…;
 * with γ = 2, β = 1, ε = 1e-5 the first row is 2·(1−10)/√(33+1e-5)+1 ≈ −2.1334.
 */
import { describe, expect, it } from 'vitest';
import { bnProcess, csvRows, expectClose, fixture, shell } from '../helpers/run-bn.js';

const REL = 1e-12;
const xs = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];

describe('bn stats on the seed example', () => {
  it('prints μ_B = [10, 11] and σ_B² = [33, 33] as JSON', async () => {
    const r = await bnProcess(['stats', fixture('seed.csv'), '--to', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout);
    expect(s.features).toEqual(['x1', 'x2']);
    expect(s.rows).toBe(10);
    expect(s.count).toEqual([10, 10]);
    expect(s.mean).toEqual([10, 11]);
    expect(s.var).toEqual([33, 33]);
    s.var_sample.forEach((v: number) => expectClose(v, 330 / 9, REL));
    expect(s.min).toEqual([1, 2]);
    expect(s.max).toEqual([19, 20]);
    expect(s.batches).toEqual([{ index: 0, rows: 10, count: [10, 10], mean: [10, 11], var: [33, 33] }]);
  });

  it('gives one entry per batch with -b', async () => {
    const r = await bnProcess(['stats', fixture('seed.csv'), '-b', '4', '--to', 'json']);
    const s = JSON.parse(r.stdout);
    // Batches of x1: [1,3,5,7] μ=4 σ²=5; [9,11,13,15] μ=12 σ²=5; [17,19] μ=18 σ²=1.
    expect(s.batches.map((b: { rows: number }) => b.rows)).toEqual([4, 4, 2]);
    expect(s.batches.map((b: { mean: number[] }) => b.mean)).toEqual([[4, 5], [12, 13], [18, 19]]);
    expect(s.batches.map((b: { var: number[] }) => b.var)).toEqual([[5, 5], [5, 5], [1, 1]]);
    expect(s.mean).toEqual([10, 11]);
    expect(s.var).toEqual([33, 33]);
  });

  it('prints a table with the true values', async () => {
    const r = await bnProcess(['stats', fixture('seed.csv')]);
    expect(r.code).toBe(0);
    const x1 = r.stdout.split('\n').find((l) => l.startsWith('x1'))!.trim().split(/\s+/);
    expect(x1).toEqual(['x1', '10', '10', '33', '36.66667', '1', '19']);
  });
});

describe('bn normalize on the seed example', () => {
  it('writes y = 2·(x−μ)/√(33+1e-5)+1 for every cell', async () => {
    const r = await bnProcess(['normalize', fixture('seed.csv'), '--gamma', '2', '--beta', '1']);
    expect(r.code).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['x1', 'x2']);
    expect(rows).toHaveLength(11);
    expectClose(Number(rows[1]![0]), -2.1333973324454254, REL);
    xs.forEach((x, i) => {
      const expected = (2 * (x - 10)) / Math.sqrt(33 + 1e-5) + 1;
      expectClose(Number(rows[i + 1]![0]), expected, REL);
      expectClose(Number(rows[i + 1]![1]), expected, REL); // x2 = x1 + 1, μ = 11
    });
  });

  it('gives x̂ ≈ −1.5667 for the first row with the default γ, β', async () => {
    const r = await bnProcess(['normalize', fixture('seed.csv')]);
    expectClose(Number(csvRows(r.stdout)[1]![0]), -9 / Math.sqrt(33 + 1e-5), REL);
    expect(Number(csvRows(r.stdout)[1]![0]).toFixed(4)).toBe('-1.5667');
  });

  it('normalizes each batch with its own statistics with -b', async () => {
    const r = await bnProcess(['normalize', fixture('seed.csv'), '-b', '4']);
    const rows = csvRows(r.stdout).slice(1).map((row) => row.map(Number));
    // Batch 0 of x1 is [1,3,5,7], μ=4, σ²=5; batch 2 is [17,19], μ=18, σ²=1.
    expectClose(rows[0]![0]!, (1 - 4) / Math.sqrt(5 + 1e-5), REL);
    expectClose(rows[9]![0]!, (19 - 18) / Math.sqrt(1 + 1e-5), REL);
  });

  it('works in a pipeline, reading standard input', async () => {
    const r = await shell('cat fixtures/seed.csv | $BN normalize - --gamma 2 --beta 1 | cut -d, -f1 | sed -n 2p');
    expect(r.code).toBe(0);
    expectClose(Number(r.stdout), -2.1333973324454254, REL);
  });

  it('reads standard input when FILE is absent', async () => {
    const r = await shell('$BN stats --to json < fixtures/seed.csv');
    expect(JSON.parse(r.stdout).var).toEqual([33, 33]);
  });

  it('ends quietly with status 0 when the reader leaves early', async () => {
    const r = await shell('seq 1 300000 | $BN normalize -n | head -2');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout)).toHaveLength(2);
  });
});
