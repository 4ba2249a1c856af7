/**
 * The PyTorch and Keras fixtures end to end through bin/bn: `normalize -b 16 --save-stats`, then
 * `normalize --stats` on new rows (eval mode), then `denormalize --stats` back. The library path
 * (torch-keras.test.ts) covers every configuration; this one proves the CLI wires the same thing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnProcess, csvRows } from '../helpers/run-bn.js';
import { REFERENCE_DIR, loadReference, outputError, relativeError } from '../helpers/reference.js';

const TOL = 1e-9;
const numbersOf = (csv: string) => csvRows(csv).slice(1).map((row) => row.map(Number));

describe.each([
  ['torch-m0.1', ['-m', '0.1', '-e', '1e-5']],
  ['keras-default', ['--preset', 'keras']],
])('bin/bn against %s', (name, flags) => {
  const ref = loadReference(name);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-ref-'));
  const statsFile = path.join(dir, 'stats.json');
  const train = path.join(REFERENCE_DIR, ref.input);
  const fresh = path.join(REFERENCE_DIR, ref.eval_input);
  const affine = ['--gamma', ref.weight.join(','), '--beta', ref.bias.join(',')];

  it('training: outputs and the saved running statistics', async () => {
    const r = await bnProcess(['normalize', train, '-b', String(ref.batch_size), ...flags, ...affine, '--save-stats', statsFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(csvRows(r.stdout)[0]).toEqual(ref.features);
    expect(outputError(numbersOf(r.stdout), ref.train_output, ref.weight)).toBeLessThanOrEqual(TOL);
    const saved = JSON.parse(readFileSync(statsFile, 'utf8'));
    expect(saved).toMatchObject({
      format: 'bn-stats', version: 2, features: ref.features, weight: ref.weight, bias: ref.bias,
      num_batches_tracked: ref.num_batches_tracked, eps: ref.eps, momentum: ref.momentum, preset: ref.preset,
      count: ref.features.map(() => 120),
    });
    expect(relativeError(saved.running_mean, ref.running_mean)).toBeLessThanOrEqual(TOL);
    expect(relativeError(saved.running_var, ref.running_var)).toBeLessThanOrEqual(TOL);
  });

  it('inference: eval() outputs on new rows with --stats', async () => {
    const r = await bnProcess(['normalize', fresh, '--stats', statsFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(outputError(numbersOf(r.stdout), ref.eval_output, ref.weight)).toBeLessThanOrEqual(TOL);
  });

  it('denormalize --stats gives the new rows back', async () => {
    const normalized = await bnProcess(['normalize', fresh, '--stats', statsFile]);
    const r = await bnProcess(['denormalize', '-', '--stats', statsFile], { stdin: normalized.stdout });
    expect(r.stderr).toBe('');
    const original = numbersOf(readFileSync(fresh, 'utf8'));
    const back = numbersOf(r.stdout);
    // Round trip through y: errors of a few ulps of |x|, and of running_var + ε relative to σ.
    back.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - original[i]![j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(original[i]![j]!)))));
  });
});

/** A Python with torch, if this machine has one (Debian's python3-torch made the fixtures). */
const torchPython = ['python3', '/usr/bin/python3'].find(
  (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);

describe('the README\'s PyTorch lines, verbatim', () => {
  it.skipIf(!torchPython)('load a saved file into torch.nn.BatchNorm1d, whose eval() outputs equal bn --stats', async () => {
    const ref = loadReference('torch-m0.1');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-torch-'));
    const model = path.join(dir, 'model.json');
    const train = path.join(REFERENCE_DIR, ref.input);
    const fresh = path.join(REFERENCE_DIR, ref.eval_input);
    await bnProcess(['normalize', train, '-b', '16', '-m', '0.1', '--gamma', ref.weight.join(','), '--beta', ref.bias.join(','), '--save-stats', model]);
    const ours = numbersOf((await bnProcess(['normalize', fresh, '--stats', model])).stdout);
    const script = `
import json, torch
s = json.load(open('model.json'))
bn = torch.nn.BatchNorm1d(len(s['features']), eps=s['eps'], momentum=s['momentum'], dtype=torch.float64)
bn.load_state_dict({k: torch.tensor(s[k], dtype=torch.long if k == 'num_batches_tracked' else torch.float64)
                    for k in ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']})
bn.eval()   # bn(torch.tensor(rows)) now equals \`bn normalize rows.csv --stats model.json\`
import csv
rows = [[float(x) for x in r] for r in list(csv.reader(open(${JSON.stringify(fresh)})))[1:]]
print(json.dumps({'y': bn(torch.tensor(rows, dtype=torch.float64)).tolist(), 'n': bn.num_batches_tracked.item(), 'dtype': str(bn.num_batches_tracked.dtype)}))
`;
    const run = spawnSync(torchPython!, ['-c', script], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const torchOut = JSON.parse(run.stdout) as { y: number[][]; n: number; dtype: string };
    expect(torchOut.n).toBe(8);
    expect(torchOut.dtype).toBe('torch.int64');
    expect(outputError(ours, torchOut.y, ref.weight)).toBeLessThanOrEqual(1e-12);
  });
});
