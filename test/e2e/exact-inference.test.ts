/**
 * `--exact` (SPEC §3): inference with the stats file's exact statistics of every row instead of
 * its running ones, so that `normalize --stats S --exact` is the whole-input training transform
 * byte for byte, and `denormalize --stats S --exact` its inverse.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/exact.js';
import { bnInProcess, bnProcess, expectOneLineError } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-exact-'));
const rand = seededRandom(77);

/** Offset and small columns, a text column and missing cells: where μ's rounding and ÷n vs ÷(n − 1) show. */
function dataset(rows: number): string {
  const lines = ['id,big,small,name,gappy'];
  for (let i = 0; i < rows; i++) {
    const big = (1e9 + (rand() - 0.5) * 10).toFixed(4);
    const small = (rand() * 1e-3).toPrecision(7);
    lines.push(`r${i},${big},${small},"n ${i}",${i % 7 === 0 ? '' : (rand() * 100 - 50).toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

const train = path.join(dir, 'train.csv');
writeFileSync(train, dataset(20_000));
const small = path.join(dir, 'small.csv');
writeFileSync(small, 'x\n7.23\n1.5\n-3\n4.25\n');

describe('--exact', () => {
  it('normalize --stats S --exact on the training file: the bytes of the training normalize (and -j 2 the same)', async () => {
    const saved = path.join(dir, 's.json');
    const fit = await bnProcess(['normalize', train, '--save-stats', saved]);
    expect(fit.stderr).toBe('');
    for (const jobs of ['1', '2']) {
      const exact = await bnProcess(['normalize', train, '--stats', saved, '--exact', '-j', jobs]);
      expect(exact.stderr).toBe('');
      expect(exact.stdout === fit.stdout, `-j ${jobs}`).toBe(true);
    }
    // Without --exact, inference divides by the running (unbiased) variance: other bytes.
    const running = await bnProcess(['normalize', train, '--stats', saved]);
    expect(running.stdout === fit.stdout).toBe(false);
  });

  it('denormalize --exact inverts training output; without it, the running variance is ~1/(2n) off', async () => {
    const saved = path.join(dir, 'small.json');
    const fit = await bnInProcess(['normalize', small, '--save-stats', saved]);
    const back = await bnInProcess(['denormalize', '-', '--stats', saved, '--exact'], fit.stdout);
    expect(back.stderr).toBe('');
    const xs = back.stdout.split('\n').slice(1, -1).map(Number);
    [7.23, 1.5, -3, 4.25].forEach((x, i) => expect(Math.abs(xs[i]! - x)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(x)));
    const inference = await bnInProcess(['denormalize', '-', '--stats', saved], fit.stdout);
    const off = Number(inference.stdout.split('\n')[1]);
    expect(Math.abs(off - 7.23)).toBeGreaterThan(1e-3);
  });

  it('a constant column with ε = 0: β, as the training run wrote it (not the running-statistics error)', async () => {
    const saved = path.join(dir, 'flat.json');
    const input = 'x,c,y\n1,5,2\n3,5,4\n6,5,1\n';
    const fit = await bnInProcess(['normalize', '-e', '0', '--beta', '0.5', '--save-stats', saved, '-'], input);
    expect(fit.stdout.split('\n').slice(1, -1).map((l) => l.split(',')[1])).toEqual(['0.5', '0.5', '0.5']);
    const exact = await bnInProcess(['normalize', '--stats', saved, '--exact', '-'], input);
    expect(exact.stderr).toBe('');
    expect(exact.stdout).toBe(fit.stdout);
    const running = await bnInProcess(['normalize', '--stats', saved, '-'], input);
    expect(running.code).toBe(1); // running_var + ε = 0: nothing to divide by
  });

  it('a version-1 file (no sums): its rounded mean and var', async () => {
    const v1 = path.join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({
      format: 'bn-stats', version: 1, features: ['x'], weight: [1], bias: [0], running_mean: [0], running_var: [1],
      num_batches_tracked: 1, eps: 0, momentum: null, preset: 'torch', count: [4], mean: [2], var: [4],
    }));
    const r = await bnInProcess(['normalize', '--stats', v1, '--exact'], 'x\n6\n0\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('x\n2\n-1\n');
  });

  it('a PyTorch state_dict has no statistics of the rows: usage error, exit 2', async () => {
    const torch = path.join(dir, 'torch.json');
    writeFileSync(torch, JSON.stringify({ weight: [1], bias: [0], running_mean: [0], running_var: [1] }));
    const r = await bnInProcess(['normalize', '--stats', torch, '--exact'], 'x\n1\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --exact needs a bn stats file \(with count, mean and var, as --save-stats writes them\): .*torch\.json has only running statistics$/);
  });

  it('without --stats: usage error, exit 2 (training computes its own statistics)', async () => {
    const r = await bnInProcess(['normalize', '--exact'], 'x\n1\n2\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --exact needs --stats FILE/);
    expect(r.stdout).toBe('');
  });
});

describe('--no-output-header (a split job: every shard but the first)', () => {
  it('CSV and TSV: the rows without the header, from either CSV writer', async () => {
    const envs: Record<string, string>[] = [{}, { BN_NO_FAST: '1' }];
    for (const env of envs) {
      const r = await bnProcess(['normalize', '--no-output-header', '-'], { stdin: 'a,b\n1,x\n3,y\n', env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('-0.9999950000374996,x\n0.9999950000374996,y\n');
    }
    const tsv = await bnInProcess(['normalize', '--no-output-header', '--to', 'tsv', '-'], 'a,b\n1,x\n3,y\n');
    expect(tsv.stdout).toBe('-0.9999950000374996\tx\n0.9999950000374996\ty\n');
  });

  it('with --to json the usage error comes before the input is opened', async () => {
    const r = await bnInProcess(['normalize', path.join(dir, 'no-such.csv'), '--no-output-header', '--to', 'json']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --no-output-header: JSON output has no header row/);
  });

  it('JSON or NDJSON output has no header row: usage error, exit 2, nothing written', async () => {
    for (const to of ['json', 'ndjson']) {
      const r = await bnInProcess(['normalize', '--no-output-header', '--to', to, '-'], 'a\n1\n3\n');
      expect(r.code).toBe(2);
      expectOneLineError(r.stderr, new RegExp(`^bn: --no-output-header: ${to.toUpperCase()} output has no header row`));
      expect(r.stdout).toBe('');
    }
  });

  it('with --stats, a shard of no bytes (GNU parallel starts such jobs) writes nothing and succeeds; without the flag it is an error', async () => {
    const saved = path.join(dir, 'empty-shard.json');
    await bnInProcess(['stats', small, '--save-stats', saved]);
    const shard = await bnInProcess(['normalize', '--stats', saved, '--no-output-header', '-'], '');
    expect([shard.code, shard.stdout, shard.stderr]).toEqual([0, '', '']);
    const alone = await bnInProcess(['normalize', '--stats', saved, '-'], '');
    expect(alone.code).toBe(1);
    expectOneLineError(alone.stderr, /the input is empty/);
  });
});
