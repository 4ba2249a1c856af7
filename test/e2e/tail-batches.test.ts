/**
 * Tail batches (SPEC §3): with -b, a last batch too small to train on (a feature with fewer than
 * 2 values; 1 for the keras and sklearn presets, whose libraries train on one) is folded into the batch before it by default; `--last-batch error` refuses it as
 * PyTorch does. normalize holds one batch back for this, so it never writes rows and then fails
 * on the tail.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, expectOneLineError } from '../helpers/run-bn.js';

const csv = (rows: number, from = 0) => `x,name,y\n${Array.from({ length: rows }, (_, k) => `${((from + k) * 37) % 101 / 7},n${from + k},${(from + k) % 9 === 0 ? '' : Math.sqrt(from + k)}`).join('\n')}\n`;
const body = (text: string) => text.slice(text.indexOf('\n') + 1);

describe('--last-batch fold (the default)', () => {
  it('-b 4999 on 5,000 rows: every row written, exit 0; the one batch of all rows is the whole-input normalize, byte for byte', async () => {
    const input = csv(5000);
    const batched = await bnInProcess(['normalize', '-b', '4999', '-'], input);
    expect(batched.stderr).toBe('');
    expect(batched.code).toBe(0);
    const whole = await bnInProcess(['normalize', '-'], input);
    expect(batched.stdout === whole.stdout).toBe(true);
  });

  it('every batch normalized with its own statistics, the folded one with its rows and the tail\'s: slices normalized alone, concatenated', async () => {
    const rows = 99; // batches of 7: 14, the last of 1 row folded into the 14th (rows 92–99)
    for (const env of [{}, { BN_NO_FAST: '1' }] as Record<string, string>[]) {
      const batched = await bnProcess(['normalize', '-b', '7', '-'], { stdin: csv(rows), env });
      expect(batched.stderr).toBe('');
      let expected = 'x,name,y\n';
      for (let from = 0; from < 91; from += 7) expected += body((await bnInProcess(['normalize', '-'], csv(7, from))).stdout);
      expected += body((await bnInProcess(['normalize', '-'], csv(8, 91))).stdout);
      expect(batched.stdout).toBe(expected);
    }
  });

  it('NDJSON input (the row reader) folds the same way: the numbers of the CSV run', async () => {
    const lines = body(csv(99)).trim().split('\n').map((l) => {
      const [x, name, y] = l.split(',');
      return JSON.stringify({ x: Number(x), name, y: y === '' ? null : Number(y) });
    });
    const ndjson = await bnInProcess(['normalize', '-b', '7', '--from', 'ndjson', '--to', 'csv', '-'], `${lines.join('\n')}\n`);
    const fromCsv = await bnInProcess(['normalize', '-b', '7', '-'], csv(99));
    expect(ndjson.stderr).toBe('');
    expect(ndjson.stdout).toBe(fromCsv.stdout);
  });

  it('bn stats -b: the folded batch reports its rows and says so (JSON "folded", the table\'s title)', async () => {
    const json = await bnInProcess(['stats', '-b', '10', '--to', 'json', '-'], csv(21));
    const stats = JSON.parse(json.stdout);
    expect(stats.batches.map((b: { rows: number; folded?: number }) => [b.rows, b.folded])).toEqual([[10, undefined], [11, 1]]);
    const whole = JSON.parse((await bnInProcess(['stats', '--to', 'json', '-'], csv(11, 10))).stdout);
    expect([stats.batches[1].mean, stats.batches[1].var]).toEqual([whole.mean, whole.var]);
    const table = await bnInProcess(['stats', '-b', '10', '--no-color', '-'], csv(21));
    expect(table.stdout).toContain('batch 1 · rows 11–21 (the last 1 row, too few to train on alone, folded in)');
  });

  it('the running statistics see the folded batch as one: stats --save-stats and normalize --save-stats agree', async () => {
    const fromStats = await bnInProcess(['stats', '-b', '10', '-m', '0.1', '--save-stats', '-', '--to', 'json', '-'], csv(21));
    const saved = JSON.parse(fromStats.stdout.split('\n').find((l) => l.startsWith('{"format"'))!);
    const fromNormalize = await bnInProcess(['normalize', '-b', '10', '-m', '0.1', '--save-stats', '-', '-o', '/dev/null', '-'], csv(21));
    expect(JSON.parse(fromNormalize.stdout)).toEqual(saved);
    expect(saved.num_batches_tracked).toBe(2);
  });

  it('a last batch of full size with 1 value of a feature (the input ends on a boundary) is folded too, by every reader', async () => {
    const input = 'x,y\n1,10\n2,20\n3,30\n,40\n';
    const whole = await bnInProcess(['normalize', '-'], input);
    for (const env of [{}, { BN_NO_FAST: '1' }] as Record<string, string>[]) {
      const r = await bnProcess(['normalize', '-b', '2', '-'], { stdin: input, env });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(whole.stdout);
    }
    const ndjson = '{"x":1,"y":10}\n{"x":2,"y":20}\n{"x":3,"y":30}\n{"x":null,"y":40}\n';
    const r = await bnInProcess(['normalize', '-b', '2', '--from', 'ndjson', '--to', 'csv', '-'], ndjson);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(whole.stdout);
    const stats = JSON.parse((await bnInProcess(['stats', '-b', '2', '--to', 'json', '-'], input)).stdout);
    expect(stats.batches.map((b: { rows: number; folded?: number }) => [b.rows, b.folded])).toEqual([[4, 2]]);
  });

  it('a column whose first number comes after the first batch does not decide the fold: stats and normalize count the same batches', async () => {
    const input = 'x,z\n1,\n2,\n3,\n4,\n5,7\n6,\n';
    const fromStats = await bnInProcess(['stats', '-b', '2', '-m', '0.1', '--save-stats', '-', '--to', 'json', '-'], input);
    const saved = JSON.parse(fromStats.stdout.split('\n').find((l) => l.startsWith('{"format"'))!);
    const fromNormalize = await bnInProcess(['normalize', '-b', '2', '-m', '0.1', '--save-stats', '-', '-o', '/dev/null', '-'], input);
    const trained = JSON.parse(fromNormalize.stdout);
    expect([trained.num_batches_tracked, trained.running_mean[0], trained.running_var[0]]).toEqual([
      saved.num_batches_tracked,
      saved.running_mean[0],
      saved.running_var[0],
    ]);
    expect(trained.num_batches_tracked).toBe(3);
  });

  it('--last-batch without -b is a usage error (exit 2): the whole input has no last batch', async () => {
    const r = await bnInProcess(['normalize', '--last-batch', 'error', '-'], csv(5));
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --last-batch needs -b\/--batch-size/);
  });

  it('a tail with 2 values of every feature is a batch of its own', async () => {
    const stats = JSON.parse((await bnInProcess(['stats', '-b', '10', '--to', 'json', '-'], csv(22))).stdout);
    expect(stats.batches.map((b: { rows: number }) => b.rows)).toEqual([10, 10, 2]);
  });
});

describe('presets whose library trains on one value (Keras, scikit-learn): PyTorch\'s rule of 2 is not theirs', () => {
  it('sklearn: a feature with one value is StandardScaler\'s fit_transform (that value 0), as fitting with bn stats then --stats gives', async () => {
    const sparse = 'a,b\n1,\n2,7\n3,\n';
    const r = await bnInProcess(['normalize', '--preset', 'sklearn', '-'], sparse);
    expect(r.stderr).toBe('');
    // By hand: a has mean 2 and biased variance 2/3, (x − 2)/√(2/3) = ∓√1.5; b is 7 alone: 7 − 7 = 0.
    expect(r.stdout).toBe(`a,b\n${-Math.sqrt(1.5)},\n0,0\n${Math.sqrt(1.5)},\n`);
    const fitted = await bnInProcess(['stats', '--preset', 'sklearn', '--save-stats', '-', '-'], sparse);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-sklearn-one-')), 's.json');
    writeFileSync(file, fitted.stdout);
    expect((await bnInProcess(['normalize', '--stats', file, '-'], sparse)).stdout).toBe(r.stdout);
    // PyTorch's preset still refuses it, as BatchNorm1d does.
    const torch = await bnInProcess(['normalize', '-'], sparse);
    expect(torch.code).toBe(1);
    expectOneLineError(torch.stderr, /has 1 value of this feature; training mode needs at least 2/);
  });

  it('keras -b: a last batch of one row is a batch of its own (Keras trains on it: y = β), not folded; bn stats -b counts it the same', async () => {
    const input = `x\n${Array.from({ length: 11 }, (_, i) => String(i * 3 + 1)).join('\n')}\n`;
    const keras = await bnInProcess(['normalize', '--preset', 'keras', '-b', '5', '-'], input);
    expect(keras.stderr).toBe('');
    expect(keras.stdout.trimEnd().split('\n').at(-1)).toBe('0');
    const saved = JSON.parse((await bnInProcess(['stats', '--preset', 'keras', '-b', '5', '--save-stats', '-', '-'], input)).stdout);
    expect(saved.num_batches_tracked).toBe(3);
    const torch = JSON.parse((await bnInProcess(['stats', '-b', '5', '--save-stats', '-', '-'], input)).stdout);
    expect(torch.num_batches_tracked).toBe(2);
    // A batch with no value of a feature is refused by every preset.
    const none = await bnInProcess(['normalize', '--preset', 'keras', '-b', '2', '-s', 'x,y', '-'], 'x,y\n1,\n2,\n3,4\n5,6\n');
    expect(none.code).toBe(1);
    expectOneLineError(none.stderr, /batch 0 \(2 rows\) has 0 values of this feature; training mode needs at least 1/);
  });
});

describe('--last-batch error', () => {
  it('refuses the tail, naming batch, column and a size that works; the batch held back is not written', async () => {
    const r = await bnInProcess(['normalize', '-b', '10', '--last-batch', 'error', '-'], csv(21));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin> \(column "x"\): batch 2 \(1 row\) has 1 value of this feature; training mode needs at least 2\. Try --batch-size 11/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(11); // the header and batch 0
  });

  it('a batch held back that is too small itself is the one named (the first too small)', async () => {
    // y: one value in batch 0 (rows 1–6), one in the tail (rows 7–10).
    const sparse = `x,y\n${Array.from({ length: 10 }, (_, i) => `${i + 1},${i === 0 ? 1 : i === 9 ? 5 : ''}`).join('\n')}\n`;
    const r = await bnInProcess(['normalize', '-b', '6', '--last-batch', 'error', '-'], sparse);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin> \(column "y"\): batch 0 \(6 rows\) has 1 value of this feature/);
  });

  it('the batches before the one held back are written before the error', async () => {
    const r = await bnInProcess(['normalize', '-b', '10', '--last-batch', 'error', '-'], csv(31));
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(21); // the header, batches 0 and 1; batch 2 was held
  });

  it('bn stats -b --last-batch error reports the tail as its own batch', async () => {
    const stats = JSON.parse((await bnInProcess(['stats', '-b', '10', '--last-batch', 'error', '--to', 'json', '-'], csv(21))).stdout);
    expect(stats.batches.map((b: { rows: number }) => b.rows)).toEqual([10, 10, 1]);
  });

  it('is a usage error without a valid value', async () => {
    const r = await bnInProcess(['normalize', '-b', '10', '--last-batch', 'drop', '-'], csv(21));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--last-batch/);
  });
});
