/**
 * Named edge cases through the whole CLI (reader → plan → engine → report). Expected values are
 * by hand or from test/helpers/exact.ts (BigInt rational arithmetic, independent of the engine).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, csvRows, expectClose } from '../helpers/run-bn.js';
import { exactMoments, seededRandom } from '../helpers/exact.js';

const statsOf = async (csv: string, args: string[] = []) => {
  const r = await bnInProcess(['stats', '--to', 'json', ...args], csv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe('edge cases', () => {
  it('one row: variance 0, no sample variance (null), and normalize refuses it', async () => {
    const s = await statsOf('a,b\n4.5,-2\n');
    expect(s).toMatchObject({ rows: 1, count: [1, 1], mean: [4.5, -2], var: [0, 0], var_sample: [null, null], min: [4.5, -2] });
    const n = await bnInProcess(['normalize'], 'a,b\n4.5,-2\n');
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/\(column "a"\): batch 0 \(1 row\) has 1 value of this feature; training mode needs at least 2/);
  });

  it('constant column: variance exactly 0 and every output is β', async () => {
    const csv = `c,d\n${Array.from({ length: 1000 }, (_, i) => `1000000000.3,${i}`).join('\n')}\n`;
    const s = await statsOf(csv);
    expect(s.var[0]).toBe(0);
    expect(s.mean[0]).toBe(1000000000.3);
    const n = await bnInProcess(['normalize', '--beta', '0.25'], csv);
    const col = csvRows(n.stdout).slice(1).map((r) => r[0]);
    expect(new Set(col)).toEqual(new Set(['0.25']));
  });

  it('missing values: each feature has its own count, and cells come back exactly as they were', async () => {
    const csv = 'a,b,label\n1,,x\nNA,2,y\n3,N/A,z\nnull,4,w\n5,nan,v\n';
    const s = await statsOf(csv);
    expect(s.features).toEqual(['a', 'b']);
    expect(s.count).toEqual([3, 2]);
    expect(s.mean).toEqual([3, 3]);
    expect(s.var).toEqual([8 / 3, 1]);
    const n = await bnInProcess(['normalize'], csv);
    const rows = csvRows(n.stdout);
    expect(rows.map((r) => r[1])).toEqual(['b', '', expect.any(String), 'N/A', expect.any(String), 'nan']);
    expect(rows.map((r) => r[0])).toEqual(['a', expect.any(String), 'NA', expect.any(String), 'null', expect.any(String)]);
    expect(rows.map((r) => r[2])).toEqual(['label', 'x', 'y', 'z', 'w', 'v']);
    expectClose(Number(rows[2]![1]), (2 - 3) / Math.sqrt(1 + 1e-5), 1e-12);
  });

  it('one column from JSON with a null, to CSV: the missing cell is written `""`, not as an empty line readers would skip', async () => {
    const n = await bnInProcess(['normalize', '--from', 'json', '--to', 'csv'], '[{"x":1},{"x":null},{"x":3}]');
    expect(n.code).toBe(0);
    // μ = 2, σ² = 1 over the two values.
    // ±1/√(1 + 1e-5) correctly rounded (float64's 1 / Math.sqrt(1 + 1e-5) rounds twice: …4997).
    expect(n.stdout.split('\n')).toEqual(['x', '-0.9999950000374996', '""', '0.9999950000374996', '']);
    // With two columns the empty cell needs no quotes.
    const two = await bnInProcess(['normalize', '--from', 'json', '--to', 'csv'], '[{"x":1,"y":"a"},{"x":null,"y":"b"},{"x":3,"y":"c"}]');
    expect(two.stdout.split('\n')[2]).toBe(',b');
  });

  it('a line holding only `""` is a row of one missing cell, not a blank line: bn reads back the one-column CSV it writes', async () => {
    const written = await bnInProcess(['normalize', '--from', 'json', '--to', 'csv'], '[{"x":1},{"x":null},{"x":3},{"x":5}]');
    expect(written.stdout.split('\n')[2]).toBe('""');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-quoted-empty-'));
    const file = path.join(dir, 'one.csv');
    writeFileSync(file, written.stdout);
    // Every reader: the byte scanner, its worker threads, csv-parse (BN_NO_FAST=1), standard input.
    for (const [args, env] of [[['-j', '1']], [['-j', '2']], [['-j', '1'], { BN_NO_FAST: '1' }]] as const) {
      const r = await bnProcess(['normalize', file, ...args], env ? { env } : {});
      expect(r.stderr).toBe('');
      // Four rows, the second missing (written back as `""`), a blank line still skipped.
      expect(r.stdout.split('\n')).toHaveLength(6);
      expect(r.stdout.split('\n')[2]).toBe('""');
    }
    // 20,000 rows, every 7th `""`, read in 4 KB blocks by two threads, from a file and from a pipe,
    // whole and in batches: the same bytes as csv-parse's, one line a row.
    const many = `x\n${Array.from({ length: 20000 }, (_, i) => (i % 7 === 3 ? '""' : String((i * 37) % 101))).join('\n')}\n`;
    const big = path.join(dir, 'many.csv');
    writeFileSync(big, many);
    const env = { BN_JOBS_BLOCK: '4096' };
    const reference = await bnProcess(['normalize', big], { env: { BN_NO_FAST: '1' } });
    expect(reference.stdout.split('\n')).toHaveLength(20002);
    expect(reference.stdout.split('\n')[4]).toBe('""');
    expect((await bnProcess(['normalize', '-j', '2', big], { env })).stdout).toBe(reference.stdout);
    const batched = await bnProcess(['normalize', '-j', '1', '-b', '1000', big]);
    for (const jobs of ['1', '2']) {
      const piped = await bnProcess(['normalize', '-j', jobs, '-b', '1000', '--from', 'csv'], { stdin: many, env });
      expect(piped.stdout).toBe(batched.stdout);
    }
    expect(batched.stdout.split('\n')).toHaveLength(20002);
    const s = await bnInProcess(['stats', '--to', 'json'], 'x\n1\n""\n\n3\n');
    expect(JSON.parse(s.stdout)).toMatchObject({ rows: 3, count: [2], mean: [2] });
    // In a file of two columns it is a record of one field, as a line holding `5` would be.
    const two = await bnInProcess(['stats'], 'x,y\n1,2\n""\n3,4\n');
    expect(two.code).toBe(1);
    expect(two.stderr).toBe('bn: <stdin>:3: expected 2 fields, found 1\n');
  });

  it('huge offsets: 1e9 + noise gives the exact variance to 1e-12', async () => {
    const rand = seededRandom(7);
    const xs = Array.from({ length: 2000 }, () => 1e9 + Math.round((rand() - 0.5) * 60e6) / 1e6);
    const exact = exactMoments(xs);
    const s = await statsOf(`x\n${xs.join('\n')}\n`);
    expectClose(s.mean[0], exact.mean, 1e-15);
    expectClose(s.var[0], exact.variance, 1e-12);
    expectClose(s.var_sample[0], exact.sampleVariance, 1e-12);
  });

  it('huge offsets survive batching: per-batch and whole statistics stay exact', async () => {
    const rand = seededRandom(11);
    const xs = Array.from({ length: 1000 }, () => 1e15 + Math.round(rand() * 1000) / 8);
    const s = await statsOf(`x\n${xs.join('\n')}\n`, ['-b', '300']);
    const exact = exactMoments(xs);
    expectClose(s.var[0], exact.variance, 1e-12);
    s.batches.forEach((b: { index: number; var: number[]; mean: number[] }) => {
      const part = exactMoments(xs.slice(b.index * 300, b.index * 300 + 300));
      expectClose(b.mean[0]!, part.mean, 1e-15);
      expectClose(b.var[0]!, part.variance, 1e-12);
    });
  });

  it('a text column next to numbers passes through normalize in place', async () => {
    const n = await bnInProcess(['normalize'], 'name,x,"quoted, text"\nann,1,"a,b"\nbob,3,"say ""hi"""\n');
    expect(n.stdout).toBe('name,x,"quoted, text"\nann,-0.9999950000374996,"a,b"\nbob,0.9999950000374996,"say ""hi"""\n');
  });

  it('a sample variance beyond float64 is an error too, also when only one batch has it', async () => {
    // ±1.3e154: variance 1.69e308 (a double), sample variance 3.38e308 (not).
    const pair = await bnInProcess(['stats'], 'a,b\n-1.3e154,1\n1.3e154,2\n');
    expect(pair.code).toBe(1);
    expect(pair.stdout).toBe('');
    expect(pair.stderr).toBe('bn: <stdin> (column "a"): the sample variance (var_sample, n/(n − 1) times the variance) is beyond float64 range\n');
    // The whole input (5 values) is fine; its first batch of 2 is not.
    const csv = 'a\n-1.2e154\n1.2e154\n0\n0\n0\n';
    expect((await bnInProcess(['stats', '--to', 'json'], csv)).code).toBe(0);
    const batched = await bnInProcess(['stats', '-b', '2', '--to', 'json'], csv);
    expect(batched.code).toBe(1);
    expect(batched.stderr).toBe('bn: <stdin> (column "a"): the sample variance (var_sample, n/(n − 1) times the variance) is beyond float64 range\n');
  });

  it('values near 1e300: a variance beyond float64 is an error naming the column', async () => {
    const r = await bnInProcess(['stats'], 'big\n1e300\n-1e300\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bn: <stdin> (column "big"): the variance is beyond float64 range\n');
  });
});

describe('normalized values beyond float64: an error naming the column, never Infinity or NaN', () => {
  const data = 'a,b\n1,x\n2,y\n3,z\n4,w\n5,v\n';
  const overflow = /the result for the value .* is beyond float64 range/;

  it.each([
    // x̂ reaches ±1.41: γ = 1.7e308 takes it beyond 1.8e308; β = 1.7e308 plus x̂·γ = 1e308 too.
    [['--gamma', '1.7e308']],
    [['--gamma', '1e308', '--beta', '1.7e308']],
    [['-b', '3', '--gamma', '1.7e308']],
  ])('training mode %j: nothing written', async (args) => {
    const r = await bnInProcess(['normalize', ...args], data);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bn: <stdin> \(column "a"\): /);
    expect(r.stderr).toMatch(overflow);
  });

  it('just below the limit is fine', async () => {
    const r = await bnInProcess(['normalize', '--gamma', '1e308'], data);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
  });

  it('inference and denormalize name the cell', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-overflow-'));
    const stats = path.join(dir, 's.json');
    writeFileSync(stats, JSON.stringify({ features: ['a'], running_mean: [-1e308], running_var: [1], weight: [1e308] }));
    const inference = await bnInProcess(['normalize', '--stats', stats], 'a\n1\n-1e308\n');
    expect(inference.code).toBe(1);
    expect(inference.stderr).toMatch(/^bn: <stdin>:2:1 \(column "a"\): the result for the value "1" is beyond float64 range/);
    writeFileSync(stats, JSON.stringify({ features: ['a'], running_mean: [0], running_var: [1], eps: 0 }));
    const denormalize = await bnInProcess(['denormalize', '--stats', stats, '--gamma', '1e-300', '--to', 'ndjson'], 'a\n0\n1e10\n');
    expect(denormalize.code).toBe(1);
    expect(denormalize.stdout).not.toMatch(/Infinity|NaN/);
    expect(denormalize.stderr).toMatch(/^bn: <stdin>:3:1 \(column "a"\): the result for the value "1e10" is beyond float64 range/);
  });
});

describe('JSON objects with thousands of keys, a few a record', () => {
  it('20,000 records, each with a key of its own: linear time and memory (a 64 MB heap is enough)', async () => {
    // Each row used to hold a cell for every column seen so far (20,000² cells, 1.6 GB), and
    // every row was scanned over all columns (11 s).
    const records = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ a: i % 2, [`k${i}`]: i }));
    const r = await bnProcess(['stats', '--from', 'ndjson', '--to', 'csv', '--select', 'a,k7,k19999'], {
      stdin: `${records.join('\n')}\n`,
      node: ['--max-old-space-size=64'],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('feature,count,mean,var,var_sample,min,max\na,20000,0.5,0.25,0.2500125006250313,0,1\nk7,1,7,0,,7,7\nk19999,1,19999,0,,19999,19999\n');
  }, 20_000);
});
