/**
 * Precision through the whole CLI, on hard data: each column's statistics from `bn stats` (one
 * thread and several), per batch with -b, and merged from uneven shards with `bn merge` (a shard
 * of one row among them), against exact values — BigInt rational arithmetic on the float64
 * values the text parses to (test/helpers/exact.ts), an implementation that shares nothing with
 * the engine.
 *
 * Target: equality. mean, var and var_sample are the float64 nearest to the exact value (ties to
 * even), every way the rows are read, cut or merged: the same bits. Also: the variance of a
 * constant column exactly 0; a statistic beyond float64 an error naming the column; no Infinity
 * or NaN in any output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactMoments, ratioToDouble, seededRandom, toDyadic, type ExactMoments } from '../helpers/exact.js';
import { bnInProcess } from '../helpers/run-bn.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bn-precision-'));
});

interface Stats {
  count: number[];
  mean: (number | null)[];
  var: (number | null)[];
  var_sample?: (number | null)[];
  min?: number[];
  max?: number[];
  batches: Array<{ index: number; rows: number; count: number[]; mean: number[]; var: number[] }>;
}

const csv = (xs: readonly number[]) => `x\n${xs.map((x) => String(x)).join('\n')}\n`;

/** `bn stats --to json` of xs: from standard input, or from a file read by `jobs` threads in blocks of 4 KiB. */
async function stats(xs: readonly number[], args: string[] = [], jobs?: number): Promise<Stats> {
  let r;
  if (jobs === undefined) {
    r = await bnInProcess(['stats', '--to', 'json', ...args, '-'], csv(xs));
  } else {
    const file = path.join(dir, `data-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, csv(xs));
    r = await bnInProcess(['stats', '--to', 'json', '-j', String(jobs), ...args, file], '', { env: { BN_JOBS_BLOCK: '4096' } });
  }
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Stats;
}

/** The correctly rounded value, bit for bit (a variance is never negative: −0 is not one). */
function same(got: number | null | undefined, want: number, what: string): void {
  expect(got, what).toBe(want);
  if (what.includes('var')) expect(Object.is(got, -0), what).toBe(false);
}

function expectExact(got: { mean: (number | null)[]; var: (number | null)[]; var_sample?: (number | null)[] }, want: ExactMoments, what: string): void {
  same(got.mean[0], want.mean, `${what}: mean`);
  same(got.var[0], want.variance, `${what}: var`);
  if (got.var_sample) same(got.var_sample[0] ?? NaN, want.sampleVariance, `${what}: var_sample`);
}

/** The merged stats file of `bn stats --save-stats` on each shard of `xs`. */
async function merged(xs: readonly number[], cuts: readonly number[]): Promise<{ mean: number[]; var: number[]; running_var: number[]; count: number[] }> {
  const edges = [0, ...cuts, xs.length];
  const files: string[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const file = path.join(dir, `shard-${Math.random().toString(36).slice(2)}.json`);
    const r = await bnInProcess(['stats', '--save-stats', file, '-'], csv(xs.slice(edges[k], edges[k + 1])));
    expect(r.stderr).toBe('');
    files.push(file);
  }
  const r = await bnInProcess(['merge', ...files]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

const rand = seededRandom(20240705);
const noise = (scale: number) => (rand() - 0.5) * scale;

// Data whose statistics are hard to get right in float64, and how to cut it into batches.
const cases: Array<[string, number[]]> = [
  // numpy and PyTorch print 9/32 and 2.4521484375; bn printed 0.28124999999999645 before its sums were exact.
  ['9 then 31 zeros', [9, ...Array<number>(31).fill(0)]],
  ['1e9 + N(0, 1)', Array.from({ length: 5000 }, () => 1e9 + Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand()))],
  ['mixed magnitudes 1e-3 … 1e3, either sign', Array.from({ length: 3000 }, () => (rand() < 0.5 ? -1 : 1) * 10 ** (rand() * 6 - 3))],
  ['alternating ±1e16 and small values', Array.from({ length: 3000 }, (_, i) => (i % 2 ? 1e16 : -1e16) + noise(8))],
  ['1e9 + noise of ±0.5 (to 1e-6)', Array.from({ length: 5000 }, () => 1e9 + Math.round(noise(1e6)) / 1e6)],
  ['1e15 + noise of ±8 (in eighths)', Array.from({ length: 5000 }, () => 1e15 + Math.round(noise(128)) / 8)],
  ['-1e15 + noise of ±0.5', Array.from({ length: 5000 }, () => -1e15 + noise(1))],
  // The variance (~1e-601) is below the smallest double: exactly 0 is its correct rounding.
  ['values near 1e-300 (±50%)', Array.from({ length: 2000 }, () => 1e-300 * (1 + noise(1)))],
  // The variance (~1e-322) is a subnormal.
  ['values near 1e-160 (±50%)', Array.from({ length: 2000 }, () => 1e-160 * (1 + noise(1)))],
  ['subnormal values (multiples of 5e-324)', Array.from({ length: 2000 }, () => 5e-324 * Math.floor(rand() * 1000))],
  ['values near 1e150 (±50%)', Array.from({ length: 2000 }, () => 1e150 * (1 + noise(1)))],
  // M2 = Σ(x − μ)² ≈ 8e308 overflows float64; the variance ≈ 8e304 does not.
  ['values near 1e154, 10^4 of them (±5%)', Array.from({ length: 10_000 }, () => 1e154 * (1 + noise(0.1)))],
  ['mixed magnitudes 1e-300 … 1e150', Array.from({ length: 3000 }, () => 10 ** (rand() * 450 - 300))],
  ['mixed magnitudes, and 1e9 + noise among them', Array.from({ length: 3000 }, (_, i) => (i % 3 ? 1e9 + noise(1) : 10 ** (rand() * 20 - 10)))],
];

describe.each(cases)('%s', (_name, xs) => {
  const exact = exactMoments(xs);

  it('whole input: mean, variance and sample variance correctly rounded; min and max exact; the same bits with -j 1 and -j 2', async () => {
    const s = await stats(xs);
    expect(s.count).toEqual([xs.length]);
    expectExact(s, exact, 'whole');
    expect(s.min).toEqual([Math.min(...xs)]);
    expect(s.max).toEqual([Math.max(...xs)]);
    for (const jobs of [1, 2]) expect(await stats(xs, [], jobs), `-j ${jobs}`).toEqual(s);
  });

  it('cut into batches (-b 997, and -b 7 by two threads): every batch and the whole', async () => {
    for (const [size, jobs] of [[997, undefined], [7, 2]] as const) {
      const s = await stats(xs, ['-b', String(size)], jobs);
      expectExact(s, exact, 'whole');
      expect(s.batches).toHaveLength(Math.ceil(xs.length / size));
      for (const b of s.batches) expectExact(b, exactMoments(xs.slice(b.index * size, (b.index + 1) * size)), `batch ${b.index} of ${size}`);
    }
  });

  it('cut into uneven shards (one of a single row) merged by bn merge: the bits of one pass', async () => {
    const m = await merged(xs, [1, Math.floor(xs.length / 7), Math.floor(xs.length / 2)]);
    expect(m.count).toEqual([xs.length]);
    same(m.mean[0], exact.mean, 'merged mean');
    same(m.var[0], exact.variance, 'merged var');
    same(m.running_var[0], exact.sampleVariance, 'merged running_var');
  });
});

describe('normalized values: within 4 ulps of max(|γ·x̂|, |β|) of the exact result', () => {
  /**
   * The reference, in BigInt fixed point (2^−200 of the data's least unit, far below any double's last bit):
   * x − μ exactly (μ = Σx/n as a rational), σ² = (nΣx² − (Σx)²)/n² exactly, the square root by
   * Newton's method on integers, then y = γ·(x − μ)/√(σ² + ε) + β rounded once. bn subtracts μ as a
   * double-double; subtracting the rounded μ alone puts an error of up to ulp(μ)/2 in every
   * x − μ: on 10⁹ + N(0, 1), 6e-8 against values near 1, millions of ulps.
   */
  function expectedOf(xs: readonly number[], gamma: number, beta: number, eps = 1e-5): number[] {
    const n = BigInt(xs.length);
    const parts = xs.map(toDyadic);
    const e = Math.min(...parts.map((d) => d.exp), toDyadic(eps).exp);
    const X = parts.map((d) => d.mant << BigInt(d.exp - e)); // x = X·2^e
    const S1 = X.reduce((a, x) => a + x, 0n);
    const S2 = X.reduce((a, x) => a + x * x, 0n);
    // 200 bits below the data's least unit, and below 2^−1074 too: a result as small as the data keeps them.
    const P = 200n + BigInt(Math.max(0, -e));
    // Everything in units of 2^e, so that tiny data keeps its 200 bits: with d = x − μ and
    // v = σ² + ε in those units, y = γ·d/√v + β exactly.
    // (σ² + ε)·2^(−2e)·2^(2P) = (n·S2 − S1²)/n²·2^(2P) + ε·2^(2P − 2e), as an integer.
    const epsD = toDyadic(eps);
    const shiftTo = (v: bigint, bits: number) => (bits >= 0 ? v << BigInt(bits) : v >> BigInt(-bits));
    const varP = shiftTo(n * S2 - S1 * S1, 2 * Number(P)) / (n * n) + shiftTo(epsD.mant, epsD.exp + 2 * Number(P) - 2 * e);
    const root = isqrt(varP); // √(σ² + ε)·2^(P − e)
    const g = toDyadic(gamma);
    const b = toDyadic(beta);
    return X.map((x) => {
      // (x − μ)·2^(P − e) = (n·X − S1)/n·2^P
      const dP = shiftTo(n * x - S1, Number(P)) / n;
      // y·2^P = γ·dP·2^P/root + β·2^P
      const yP = shiftTo(g.mant * dP, g.exp + Number(P)) / root + shiftTo(b.mant, b.exp + Number(P));
      return ratioToDouble(yP, 1n << P);
    });
  }

  function isqrt(v: bigint): bigint {
    if (v < 2n) return v;
    let x = 1n << BigInt(Math.ceil(v.toString(2).length / 2));
    for (;;) {
      const next = (x + v / x) >> 1n;
      if (next >= x) return x;
      x = next;
    }
  }

  it.each([
    ['1e9 + N(0, 1)', Array.from({ length: 2000 }, () => 1e9 + Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand()))],
    ['1e15 + k/8', Array.from({ length: 2000 }, () => 1e15 + Math.round(noise(400)) / 8)],
    ['mixed magnitudes 1e-3 … 1e3', Array.from({ length: 2000 }, () => 10 ** (rand() * 6 - 3))],
    // σ² here is below float64's least subnormal: only the exact variance gives the scale.
    ['values near 1e-300 (σ² ≈ 1e-600), ε = 0', Array.from({ length: 2000 }, () => (1 + rand()) * 1e-300), 0],
  ])('%s, γ = 2, β = 0.5', async (_name, xs, eps = 1e-5) => {
    const r = await bnInProcess(['normalize', '--gamma', '2', '--beta', '0.5', '--epsilon', String(eps), '-'], csv(xs));
    expect(r.stderr).toBe('');
    const got = r.stdout.split('\n').slice(1, -1).map(Number);
    const { worst, where } = worstUlps(xs, got, expectedOf(xs, 2, 0.5, eps), 0.5);
    // SPEC §3: 3. Four roundings, each of half an ulp of its own result: x − μ (exact sums, μ's
    // low part, TwoSum), the scale γ/√(σ² + ε) (from the exact variance, in BigInt), the product,
    // and + β. Measured: 2 at worst on these columns (4 when the scale took four roundings).
    expect(worst, where).toBeLessThanOrEqual(3);
  });

  /** The largest distance of got from want, in ulps of max(|want − β|, |β|) (an exact 0 must be 0). */
  function worstUlps(xs: readonly number[], got: readonly number[], want: readonly number[], beta: number): { worst: number; where: string } {
    // A subnormal's ulp is 2^−1074, whatever its size.
    const ulp = (v: number) => Math.max(2 ** (Math.floor(Math.log2(Math.abs(v))) - 52), 2 ** -1074);
    expect(got).toHaveLength(xs.length);
    let worst = 0;
    let where = '';
    got.forEach((y, i) => {
      const size = Math.max(Math.abs(want[i]! - beta), Math.abs(beta));
      const off = size === 0 ? (y === 0 ? 0 : Infinity) : Math.abs(y - want[i]!) / ulp(size);
      if (off > worst) [worst, where] = [off, `x = ${xs[i]}: got ${y}, want ${want[i]}`];
    });
    return { worst, where };
  }

  // Values so small that μ's low part (≈ 2^−53·μ) falls below 2^−1022, where a double keeps fewer
  // bits, or that σ is below 1e−308 (γ/σ beyond float64): bn then works in units of a power of two.
  // β = 0, so each result is measured against itself, the one nearest 0 included.
  const subnormals = Array.from({ length: 2000 }, () => Math.round(noise(2000)) * 2 ** -1074);
  const tiny: Array<[string, number[]]> = [
    ['1e-300, 2e-300, 3e-300', [1e-300, 2e-300, 3e-300]],
    ['values near 1e-300', Array.from({ length: 2000 }, () => (1 + rand()) * 1e-300)],
    ['values near 1e-295 with a spread of 1e-305', Array.from({ length: 2000 }, () => 1e-295 + noise(1e-305))],
    ['1e-310, -1e-310, 4e-310 (σ below 1e-308)', [1e-310, -1e-310, 4e-310]],
    ['subnormal multiples of 2^-1074', subnormals],
    ['5e-324, 0, 0 (the mean is below the least subnormal)', [5e-324, 0, 0]],
    // An ordinary spread, a mean near 0 whose low part is below the least subnormal: y of the
    // values near the mean is all that low part (it was 0 for 5e-324, exact 1.7e-74).
    ['1e-250, -1e-250, 5e-324, 1e-323 (the mean\'s low part below 2^-1074, σ ≈ 1e-250)', [1e-250, -1e-250, 5e-324, 1e-323]],
    ['1e-20, -1e-20, 5e-324 (the mean rounds to 0)', [1e-20, -1e-20, 5e-324]],
    ['±3.26e-37 and -5e-324', [3.2565605298536323e-37, -5e-324, -3.2565605298536323e-37]],
  ];
  // A low part below 2^-1022 with a scale γ/σ near the bottom of the range: the units of 2^-k
  // must leave the scale s/2^k a normal double (it was 2.5e8 ulps off with k unbounded).
  it.each([
    ['±1e150 and 5e-324, γ = 1e-150', [1e150, -1e150, 5e-324], 1e-150],
    ['1 and 5e-324, γ = 1e-300', [1, 5e-324], 1e-300],
  ])('a small scale and a mean low part below 2^-1022: %s, within 3 ulps', async (_name, xs, gamma) => {
    const r = await bnInProcess(['normalize', '-e', '0', '--gamma', String(gamma), '-'], csv(xs));
    expect(r.stderr).toBe('');
    const { worst, where } = worstUlps(xs, r.stdout.split('\n').slice(1, -1).map(Number), expectedOf(xs, gamma, 0, 0), 0);
    expect(worst, where).toBeLessThanOrEqual(3);
  });

  // ε of any size: 1e-5 (the default) is all of σ² + ε here, yet μ's low part is as small.
  it.each(tiny.flatMap(([name, xs]) => [0, 1e-300, 1e-5, 1].map((eps) => [name, eps, xs] as const)))('tiny values, β = 0: %s, ε = %s, within 3 ulps of each result (-j 1, -j 2, -b, --stats --exact)', async (_name, eps, xs) => {
    const want = expectedOf(xs, 1, 0, eps);
    const e = String(eps);
    const runs: Array<[string, string[]]> = [
      ['whole', ['normalize', '-e', e, '-']],
      ['-b', ['normalize', '-e', e, '-b', String(xs.length), '-']],
    ];
    for (const [what, args] of runs) {
      const r = await bnInProcess(args, csv(xs));
      expect(r.stderr, what).toBe('');
      const { worst, where } = worstUlps(xs, r.stdout.split('\n').slice(1, -1).map(Number), want, 0);
      expect(worst, `${what}: ${where}`).toBeLessThanOrEqual(3);
    }
    const file = path.join(dir, `tiny-${Math.random().toString(36).slice(2)}.csv`);
    const statsFile = `${file}.json`;
    writeFileSync(file, csv(xs));
    const trained = await bnInProcess(['normalize', '-e', e, '-j', '2', file, '--save-stats', statsFile], '', { env: { BN_JOBS_BLOCK: '4096' } });
    expect(trained.stderr).toBe('');
    const exact = await bnInProcess(['normalize', '--stats', statsFile, '--exact', '-j', '2', file], '', { env: { BN_JOBS_BLOCK: '4096' } });
    expect(exact.stdout).toBe(trained.stdout);
  });
});

describe('constant columns: the variance is exactly 0', () => {
  it.each([
    ['10^6 copies of 1e9 + 0.3', 1e9 + 0.3, 1_000_000],
    ['10^4 copies of 0.1', 0.1, 10_000],
    ['10^4 copies of -7.5e-310 (a subnormal)', -7.5e-310, 10_000],
  ])('%s: whole, in batches, in shards; normalized to β exactly', async (_name, c, n) => {
    const column = (rows: number) => `x\n${`${c}\n`.repeat(rows)}`;
    const r = await bnInProcess(['stats', '--to', 'json', '-b', String(Math.floor(n / 10) + 1), '-'], column(n));
    const whole = JSON.parse(r.stdout) as Stats;
    expect(whole).toMatchObject({ count: [n], mean: [c], var: [0], var_sample: [0], min: [c], max: [c] });
    expect(whole.batches).toHaveLength(10);
    for (const b of whole.batches) expect(b).toMatchObject({ mean: [c], var: [0] });
    const m = await merged(new Array<number>(n).fill(c), [2, Math.floor(n / 3)]);
    expect(m).toMatchObject({ count: [n], mean: [c], var: [0], running_var: [0] });
    if (n > 10_000) return; // β exactly: the smaller columns show it, in less time
    const normalized = await bnInProcess(['normalize', '--beta', '0.25', '-b', String(n / 4), '-'], column(n));
    expect(normalized.stderr).toBe('');
    expect(new Set(normalized.stdout.split('\n').slice(1, -1))).toEqual(new Set(['0.25']));
  });
});

describe('statistics beyond float64: an error naming the column, never Infinity or NaN', () => {
  const near1e300 = Array.from({ length: 100 }, (_, i) => (i % 2 ? 1e300 : -1e300) * (1 + i / 1000));

  it.each([
    ['stats', ['stats']],
    ['stats --to json', ['stats', '--to', 'json']],
    ['stats -b 10', ['stats', '-b', '10', '--to', 'ndjson']],
    ['normalize', ['normalize']],
    ['normalize -b 10', ['normalize', '-b', '10']],
    ['stats --save-stats -', ['stats', '--save-stats', '-']],
  ])('values near ±1e300 (variance ~1e600): %s', async (_name, args) => {
    const r = await bnInProcess([...args, '-'], csv(near1e300));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bn: <stdin> (column "x"): the variance is beyond float64 range\n');
  });

  it('normalize output of every case above holds no Infinity or NaN', async () => {
    for (const [, xs] of cases) {
      const r = await bnInProcess(['normalize', '-'], csv(xs));
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/Infinity|NaN/);
      const batched = await bnInProcess(['normalize', '-b', '997', '--to', 'ndjson', '-'], csv(xs));
      expect(batched.stdout).not.toMatch(/Infinity|NaN|null/);
    }
  });
});
