/**
 * Running statistics and `--save-stats` from the command line (SPEC §3, §5): the seed example
 * gives the SPEC's own stats file; presets and the flags that override them; `stats` and
 * `normalize` save the same file; the file is written atomically; bad usage is exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, expectClose, expectOneLineError, fixture } from '../helpers/run-bn.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'bn-save-'));
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('the seed example gives the stats file of SPEC §5', () => {
  it.each(['stats', 'normalize'])('bn %s --save-stats', async (command) => {
    const file = path.join(tempDir(), 's.json');
    const r = await bnProcess([command, fixture('seed.csv'), '--gamma', '2', '--beta', '1', '--save-stats', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = readJson(file);
    // By hand: μ = [10, 11]; Σ(x−μ)² = 330, so var = 33 and the unbiased running_var = 330/9.
    expect(s).toMatchObject({
      format: 'bn-stats', version: 2, features: ['x1', 'x2'], weight: [2, 2], bias: [1, 1],
      running_mean: [10, 11], num_batches_tracked: 1, eps: 1e-5, momentum: null, preset: 'torch',
      count: [10, 10], mean: [10, 11], var: [33, 33],
      // Σx = 100 = 0x19·2², 110 = 0x37·2; Σx² = 1330 = 0x299·2, 1540 = 0x181·2².
      sum: ['0x19p2', '0x37p1'], sum_sq: ['0x299p1', '0x181p2'],
    });
    // 330/9 correctly rounded.
    expect(s.running_var).toEqual([330 / 9, 330 / 9]);
    // Indented: one key a line.
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe('  "format": "bn-stats",');
  });
});

describe('running statistics after every batch', () => {
  it('momentum 0.1, batches of 4: by hand', async () => {
    // x1 batches: [1,3,5,7] μ=4 s²=20/3; [9,11,13,15] μ=12 s²=20/3; [17,19] μ=18 s²=2.
    // mean: 0.4 → 0.9·0.4 + 1.2 = 1.56 → 0.9·1.56 + 1.8 = 3.204
    // var:  0.9 + 2/3 → 0.9·(0.9 + 2/3) + 2/3 → 0.9·that + 0.2
    const r = await bnInProcess(['stats', '-b', '4', '-m', '0.1', '--save-stats', '-'], readFileSync(fixture('seed.csv'), 'utf8'));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.num_batches_tracked).toBe(3);
    expect(s.momentum).toBe(0.1);
    expectClose(s.running_mean[0], 3.204, 1e-15);
    const v1 = 0.9 + 0.1 * (20 / 3);
    const v2 = 0.9 * v1 + 0.1 * (20 / 3);
    expectClose(s.running_var[0], 0.9 * v2 + 0.1 * 2, 1e-15);
  });

  it('cumulative (the default): the plain average of the batch means and unbiased variances', async () => {
    const r = await bnInProcess(['stats', '-b', '4', '--save-stats', '-'], readFileSync(fixture('seed.csv'), 'utf8'));
    const s = JSON.parse(r.stdout);
    expect(s.momentum).toBeNull();
    expectClose(s.running_mean[0], (4 + 12 + 18) / 3, 1e-15);
    expectClose(s.running_var[0], (20 / 3 + 20 / 3 + 2) / 3, 1e-15);
  });

  it('bn stats and bn normalize save the same file for the same flags', async () => {
    const dir = tempDir();
    const flags = ['-b', '4', '-m', '0.25', '-e', '0.5', '--gamma', 'x2=3', '--preset', 'keras'];
    await bnProcess(['stats', fixture('seed.csv'), ...flags, '--save-stats', path.join(dir, 'a.json')]);
    await bnProcess(['normalize', fixture('seed.csv'), ...flags, '--save-stats', path.join(dir, 'b.json')]);
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'b.json'), 'utf8'));
    expect(readJson(path.join(dir, 'a.json'))).toMatchObject({ weight: [1, 3], eps: 0.5, momentum: 0.25, preset: 'keras' });
  });

  it('a column whose first number comes after the first batch: not a feature of either file (it passes through normalize -b), and the file works in inference', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'late.csv');
    writeFileSync(data, 'x,y\n1,\n2,\n3,4\n5,6\n');
    for (const select of [[], ['-s', '/x|y/']]) {
      const [a, b] = [path.join(dir, 'a.json'), path.join(dir, 'b.json')];
      expect((await bnProcess(['stats', data, '-b', '2', ...select, '--save-stats', a])).code).toBe(0);
      expect((await bnProcess(['normalize', data, '-b', '2', ...select, '--save-stats', b, '-o', path.join(dir, 'out.csv')])).code).toBe(0);
      expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
      expect(readJson(a).features).toEqual(['x']);
      const inference = await bnProcess(['normalize', data, '--stats', a]);
      expect(inference.stderr).toBe('');
      expect(inference.stdout.split('\n')[3]).toMatch(/^[-\d.e]+,4$/);
    }
    // Named by --select, y stays a feature of the file (training refuses it: batch 0 has none of it).
    const named = JSON.parse((await bnProcess(['stats', data, '-b', '2', '-s', 'x,y', '--save-stats', '-'])).stdout);
    expect(named.features).toEqual(['x', 'y']);
    const training = await bnProcess(['normalize', data, '-b', '2', '-s', 'x,y']);
    expect(training.code).toBe(1);
    // The report still has y, from the rows that have it.
    const report = JSON.parse((await bnProcess(['stats', data, '-b', '2', '--to', 'json'])).stdout);
    expect(report.features).toEqual(['x', 'y']);
  });
});

describe('--preset and the flags that override it', () => {
  const seed = readFileSync(fixture('seed.csv'), 'utf8');
  const saved = async (...flags: string[]) => JSON.parse((await bnInProcess(['stats', '--save-stats', '-', ...flags], seed)).stdout);

  it('keras: ε 1e-3, momentum 0.01, the biased variance in running_var', async () => {
    const s = await saved('--preset', 'keras');
    expect(s).toMatchObject({ preset: 'keras', eps: 1e-3, momentum: 0.01 });
    expectClose(s.running_mean[0], 0.01 * 10, 1e-15);
    expectClose(s.running_var[0], 0.99 + 0.01 * 33, 1e-15);
  });

  it('explicit -e and -m override the preset; the variance rule stays the preset\'s', async () => {
    const s = await saved('--preset', 'keras', '-e', '1e-5', '-m', 'cumulative');
    expect(s).toMatchObject({ preset: 'keras', eps: 1e-5, momentum: null, running_mean: [10, 11], running_var: [33, 33] });
  });

  it('torch is the default', async () => {
    expect(await saved()).toMatchObject({ preset: 'torch', eps: 1e-5, momentum: null });
    expect(await saved('--preset', 'torch', '-m', '1')).toMatchObject({ momentum: 1 });
  });
});

describe('--save-stats -: the stats file on standard output', () => {
  it('bn stats prints it on one line instead of the report', async () => {
    const r = await bnInProcess(['stats', '--save-stats', '-'], 'a\n1\n3\n');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd()).not.toContain('\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'bn-stats', features: ['a'], mean: [2] });
  });

  it('bn normalize needs -o for the rows', async () => {
    const r = await bnInProcess(['normalize', '--save-stats', '-'], 'a\n1\n3\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /--save-stats - writes the stats file to standard output, where the rows go: add -o FILE/);
    const out = path.join(tempDir(), 'out.csv');
    const ok = await bnInProcess(['normalize', '--save-stats', '-', '-o', out], 'a\n1\n3\n');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).features).toEqual(['a']);
    expect(readFileSync(out, 'utf8')).toBe('a\n-0.9999950000374996\n0.9999950000374996\n');
  });
});

describe('errors', () => {
  it.each([
    [['stats', '-m', '0'], /--momentum <m>' argument '0' is invalid\. expected a number in \(0, 1\] or "cumulative"/],
    [['stats', '-m', '1.5'], /--momentum <m>' argument '1.5' is invalid/],
    [['stats', '-m', 'abc'], /--momentum <m>' argument 'abc' is invalid/],
    [['normalize', '--preset', 'tf'], /--preset <name>' argument 'tf' is invalid\. Allowed choices are torch, keras/],
    [['stats', '--gamma', '2'], /^bn: --gamma only records settings in the stats file: add --save-stats FILE$/],
    [['stats', '-m', '0.1', '--preset', 'keras'], /^bn: --momentum, --preset only record settings in the stats file/],
  ])('%j is bad usage', async (args, pattern) => {
    const r = await bnInProcess(args, 'x1,x2\n1,2\n3,4\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, pattern);
  });

  it('bn stats --save-stats of fewer than 2 values in a batch (a shard of one row): running_var null, refused by --stats, taken by merge', async () => {
    const dir = tempDir();
    const one = path.join(dir, 'one.json');
    const rest = path.join(dir, 'rest.json');
    const r = await bnInProcess(['stats', '--save-stats', one], 'a\n5\n');
    expect(r.code).toBe(0);
    const saved = JSON.parse(readFileSync(one, 'utf8'));
    expect(saved).toMatchObject({ count: [1], mean: [5], var: [0], running_mean: [5], running_var: [null], sum: ['0x5p0'], sum_sq: ['0x19p0'] });
    // Normalizing with it: no variance to divide by.
    const infer = await bnInProcess(['normalize', '--stats', one], 'a\n1\n');
    expect(infer.code).toBe(1);
    expectOneLineError(infer.stderr, /^bn: .*one\.json: the running statistics are null for "a": the file was saved from a batch with fewer than 2 values of it; a shard's file: bn merge it with the others first; a whole file's \(bn stats -b\): save it again with a larger --batch-size, or use --exact$/);
    // Merged with the rest of the data: the statistics of all of it.
    expect((await bnInProcess(['stats', '--save-stats', rest], 'a\n1\n3\n')).code).toBe(0);
    const merged = await bnInProcess(['merge', one, rest]);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ count: [3], mean: [3], var: [8 / 3], running_var: [4] });
  });

  it.each([
    ['a header only', 'a,b\n'],
    ['no bytes at all', ''],
  ])('bn stats --save-stats of %s (a shard without a row): the file of an empty shard, which merges as nothing and --stats refuses', async (_name, input) => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty.json');
    const rows = path.join(dir, 'rows.json');
    const r = await bnInProcess(['stats', '--save-stats', empty], input);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(empty, 'utf8'))).toMatchObject({ format: 'bn-stats', version: 2, features: [], count: [], sum: [], num_batches_tracked: 0 });
    expect((await bnInProcess(['stats', '--save-stats', rows], 'a,b\n1,2\n3,5\n')).code).toBe(0);
    // The identity of a merge: on either side, the other file's statistics.
    const alone = JSON.parse((await bnInProcess(['merge', rows])).stdout);
    for (const files of [[empty, rows], [rows, empty]]) {
      const merged = await bnInProcess(['merge', ...files]);
      expect(merged.code).toBe(0);
      expect(JSON.parse(merged.stdout)).toEqual(alone);
    }
    const only = await bnInProcess(['merge', empty]);
    expect(only.code).toBe(1);
    expectOneLineError(only.stderr, /^bn: nothing to merge: every stats file is that of an empty shard/);
    const infer = await bnInProcess(['normalize', '--stats', empty], 'a,b\n1,2\n');
    expect(infer.code).toBe(1);
    expectOneLineError(infer.stderr, /^bn: .*empty\.json: the stats file has no features: it is that of an empty shard; bn merge it with the others first$/);
  });

  it('training (normalize --save-stats) still needs 2 values of every feature in every batch', async () => {
    const dir = tempDir();
    const r = await bnInProcess(['normalize', '-b', '2', '--last-batch', 'error', '--save-stats', path.join(dir, 's.json')], 'a\n1\n2\n3\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin> \(column "a"\): batch 1 \(1 row\) has 1 value of this feature; training mode needs at least 2\. Try --batch-size 3/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the stats file is atomic: bad data leaves an existing file untouched and no temporary file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 's.json');
    writeFileSync(file, 'previous\n');
    const r = await bnInProcess(['normalize', '-b', '2', '--save-stats', file], 'a\n1\n2\n3\nzz\n');
    expect(r.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['s.json']);
  });

  it('an unwritable stats file is a clear error, and -o is not put in place', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.csv');
    const r = await bnInProcess(['normalize', '-o', out, '--save-stats', '/no/such/dir/s.json'], 'a\n1\n3\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: \/no\/such\/dir\/s.json: cannot write: no such directory$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
