/**
 * `--preset sklearn` against scikit-learn's StandardScaler (fixtures/reference/sklearn-standard.json,
 * made by make_sklearn.py with scikit-learn 1.2.1): fit_transform on the training rows, the fitted
 * mean_, var_ and n_samples_seen_, and transform on new rows — a constant feature and missing cells
 * included.
 *
 * Tolerances: bn's statistics are correctly rounded and StandardScaler's are not. On f2 (10⁶ +
 * noise, σ ≈ 43) its mean_ is 1.2e-16 relative off the exact mean, 1.2e-10 absolute, which
 * moves every output by 2.7e-12: 18,000 ulps of a value near 1. So outputs agree to 1e-11, the
 * statistics to 2e-15 relative; the constant feature exactly.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnProcess, csvRows } from '../helpers/run-bn.js';
import { REFERENCE_DIR } from '../helpers/reference.js';

interface SklearnReference {
  input: string;
  eval_input: string;
  features: string[];
  mean_: number[];
  var_: number[];
  scale_: number[];
  n_samples_seen_: number[];
  train_output: (number | null)[][];
  eval_output: (number | null)[][];
}

const ref = JSON.parse(readFileSync(path.join(REFERENCE_DIR, 'sklearn-standard.json'), 'utf8')) as SklearnReference;
const train = path.join(REFERENCE_DIR, ref.input);
const fresh = path.join(REFERENCE_DIR, ref.eval_input);
const flat = ref.features.indexOf('flat');
const cellsOf = (csv: string) => csvRows(csv).slice(1).map((row) => row.map((c) => (c === '' ? null : Number(c))));

/** Worst |bn − sklearn| over a table; a missing cell must be missing in both. */
function worstError(got: (number | null)[][], want: (number | null)[][]): number {
  expect(got).toHaveLength(want.length);
  let worst = 0;
  want.forEach((row, i) =>
    row.forEach((w, j) => {
      const y = got[i]![j]!;
      if (w === null || y === null) return expect([i, j, y]).toEqual([i, j, w]);
      worst = Math.max(worst, Math.abs(y - w));
    }),
  );
  return worst;
}

describe('--preset sklearn: StandardScaler', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-sklearn-'));
  const statsFile = path.join(dir, 's.json');

  it('normalize: fit_transform, and the stats file holds mean_, var_ and n_samples_seen_', async () => {
    const r = await bnProcess(['normalize', train, '--preset', 'sklearn', '--save-stats', statsFile]);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout)[0]).toEqual(ref.features);
    const got = cellsOf(r.stdout);
    expect(worstError(got, ref.train_output)).toBeLessThanOrEqual(1e-11);
    // The constant feature: scaled by 1, so x − μ = 0 exactly (PyTorch's rule would give β too, but by a scale of 0).
    expect(new Set(got.map((row) => row[flat]))).toEqual(new Set([0]));
    const saved = JSON.parse(readFileSync(statsFile, 'utf8'));
    expect(saved).toMatchObject({ preset: 'sklearn', eps: 0, momentum: null, weight: ref.features.map(() => 1), bias: ref.features.map(() => 0) });
    expect(saved.count).toEqual(ref.n_samples_seen_);
    ref.features.forEach((_, j) => {
      expect(Math.abs(saved.running_mean[j] - ref.mean_[j]!)).toBeLessThanOrEqual(2e-15 * Math.abs(ref.mean_[j]!));
      expect(Math.abs(saved.running_var[j] - ref.var_[j]!)).toBeLessThanOrEqual(2e-15 * ref.var_[j]!);
      // running_* are the exact statistics of every row: the file's mean and var, the same bits.
      expect([saved.running_mean[j], saved.running_var[j]]).toEqual([saved.mean[j], saved.var[j]]);
    });
  });

  it('normalize --stats on the training rows: fit + transform = fit_transform, byte for byte', async () => {
    const fitted = await bnProcess(['normalize', train, '--preset', 'sklearn']);
    const applied = await bnProcess(['normalize', train, '--stats', statsFile]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe(fitted.stdout);
  });

  it('normalize --stats on new rows: transform (the constant feature scaled by 1, not an error)', async () => {
    const r = await bnProcess(['normalize', fresh, '--stats', statsFile]);
    expect(r.stderr).toBe('');
    expect(worstError(cellsOf(r.stdout), ref.eval_output)).toBeLessThanOrEqual(1e-11);
  });

  it('denormalize --stats: inverse_transform, the constant feature back to its value', async () => {
    const normalized = await bnProcess(['normalize', fresh, '--stats', statsFile]);
    const r = await bnProcess(['denormalize', '-', '--stats', statsFile], { stdin: normalized.stdout });
    expect(r.stderr).toBe('');
    const original = cellsOf(readFileSync(fresh, 'utf8'));
    const back = cellsOf(r.stdout);
    back.forEach((row, i) => row.forEach((x, j) => {
      const o = original[i]![j]!;
      if (o === null) return expect(x).toBeNull();
      expect(Math.abs(x! - o)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(o)));
    }));
    expect(new Set(back.map((row) => row[flat]))).toEqual(new Set([2.5]));
  });

  it('-m with --preset sklearn is a usage error: its running statistics follow no momentum', async () => {
    const r = await bnProcess(['normalize', train, '--preset', 'sklearn', '-m', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bn: -m\/--momentum cannot be used with --preset sklearn: .*\n$/);
  });

  it('with -b, the stats file still holds the exact statistics of every row (partial_fit keeps them)', async () => {
    const batched = path.join(dir, 'batched.json');
    const r = await bnProcess(['stats', train, '--preset', 'sklearn', '-b', '16', '--save-stats', batched, '--to', 'json']);
    expect(r.stderr).toBe('');
    const saved = JSON.parse(readFileSync(batched, 'utf8'));
    const whole = JSON.parse(readFileSync(statsFile, 'utf8'));
    expect([saved.running_mean, saved.running_var]).toEqual([whole.running_mean, whole.running_var]);
    expect(saved.num_batches_tracked).toBe(8);
  });
});

describe('--preset sklearn across shards (SPEC §5: merge sets running_var to the biased variance for sklearn)', () => {
  it('shards merged: running statistics of the whole, and --stats on each shard gives the whole-file bytes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-sklearn-shards-'));
    const lines = readFileSync(train, 'utf8').trimEnd().split('\n');
    const header = lines[0]!;
    const cut = [1, 38, 90, lines.length];
    const shards = cut.slice(0, -1).map((from, k) => `${header}\n${lines.slice(from, cut[k + 1]).join('\n')}\n`);
    const files: string[] = [];
    for (const [k, shard] of shards.entries()) {
      const file = path.join(dir, `s${k}.json`);
      const r = await bnProcess(['stats', '-', '--preset', 'sklearn', '--save-stats', file], { stdin: shard });
      expect(r.code).toBe(0);
      files.push(file);
    }
    const merged = path.join(dir, 'merged.json');
    expect((await bnProcess(['merge', ...files, '-o', merged])).code).toBe(0);
    const m = JSON.parse(readFileSync(merged, 'utf8'));
    const wholeFile = path.join(dir, 'whole.json');
    await bnProcess(['stats', train, '--preset', 'sklearn', '--save-stats', wholeFile]);
    const whole = JSON.parse(readFileSync(wholeFile, 'utf8'));
    expect([m.running_mean, m.running_var, m.count]).toEqual([whole.running_mean, whole.running_var, whole.count]);
    const fitted = await bnProcess(['normalize', train, '--preset', 'sklearn']);
    let concatenated = `${header}\n`;
    for (const shard of shards) {
      const r = await bnProcess(['normalize', '-', '--stats', merged, '--no-output-header'], { stdin: shard });
      expect(r.stderr).toBe('');
      concatenated += r.stdout;
    }
    expect(concatenated).toBe(fitted.stdout);
  });
});
