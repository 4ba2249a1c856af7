/**
 * bn against real PyTorch 1.13 BatchNorm1d and Keras's update rule (fixtures/reference/, see its
 * README for how they were made), through the library: training outputs, batch statistics,
 * running_mean, running_var, num_batches_tracked, and eval() outputs through a saved stats file.
 * Tolerance: the fixture README's, 1e-9 relative (outputs relative to max(|expected|, |γ_j|)).
 * The worst errors measured are printed at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { missingTest } from '../../src/io/missing.js';
import { transformWithStats } from '../../src/pipeline/inference.js';
import { normalizeTraining } from '../../src/pipeline/normalize.js';
import { resolveTrainingSettings, type TrainingSettings } from '../../src/pipeline/presets.js';
import { statsFileOf } from '../../src/pipeline/running.js';
import { parseStatsFile, statsFileJson } from '../../src/stats-file.js';
import {
  CollectingSink,
  TORCH_CONFIGS,
  loadReference,
  outputError,
  referenceTable,
  relativeError,
  type Reference,
} from '../helpers/reference.js';

const TOL = 1e-9;
const measured: Record<string, Record<string, number>> = {};

async function trainAndInfer(ref: Reference, settings: TrainingSettings) {
  const train = new CollectingSink();
  const rows = ref.train_output.length;
  const result = await normalizeTraining(() => referenceTable(ref.input), train, {
    // A fixture batch as large as the input is bn's default: the whole input, two passes.
    batchSize: ref.batch_size >= rows ? undefined : ref.batch_size,
    isMissing: missingTest(),
    epsilon: settings.epsilon,
    gamma: settings.gamma,
    beta: settings.beta,
  });
  const saved = statsFileOf(result, settings, result.gamma, result.beta);
  // Through the file's text, as `--save-stats` then `--stats` would.
  const loaded = parseStatsFile(statsFileJson(saved), 'saved.json');
  const evalSink = new CollectingSink();
  await transformWithStats(await referenceTable(ref.eval_input), evalSink, {
    direction: 'normalize',
    isMissing: missingTest(),
    stats: loaded.stats,
    statsLabel: 'saved.json',
  });
  return { result, saved, train, evalSink };
}

function check(name: string, ref: Reference, run: Awaited<ReturnType<typeof trainAndInfer>>): void {
  const { result, saved, train, evalSink } = run;
  const errors = {
    train_output: outputError(train.numbers(), ref.train_output, ref.weight),
    batch_mean: Math.max(...ref.batches.map((b, k) => relativeError(ref.features.map((_, f) => result.batches[k]!.moments.mean(f)), b.mean))),
    batch_var: Math.max(...ref.batches.map((b, k) => relativeError(ref.features.map((_, f) => result.batches[k]!.moments.variance(f)), b.var))),
    running_mean: relativeError(saved.runningMean, ref.running_mean),
    running_var: relativeError(saved.runningVar, ref.running_var),
    eval_output: outputError(evalSink.numbers(), ref.eval_output, ref.weight),
  };
  measured[name] = errors;
  expect(result.batches).toHaveLength(ref.batches.length);
  expect(result.batches.map((b) => b.rows)).toEqual(ref.batches.map((b) => b.rows));
  expect(saved.numBatchesTracked).toBe(ref.num_batches_tracked);
  expect(saved.features).toEqual(ref.features);
  expect(saved.weight).toEqual(ref.weight);
  expect(saved.bias).toEqual(ref.bias);
  expect(saved.eps).toBe(ref.eps);
  expect(saved.momentum).toBe(ref.momentum ?? 'cumulative');
  expect(saved.preset).toBe(ref.preset);
  for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThanOrEqual(TOL);
}

describe('PyTorch BatchNorm1d (torch 1.13)', () => {
  it.each(TORCH_CONFIGS)('%s: training outputs, running statistics, eval outputs', async (name) => {
    const ref = loadReference(name);
    const settings = resolveTrainingSettings({
      epsilon: ref.eps,
      momentum: ref.momentum ?? 'cumulative',
      gamma: { kind: 'list', values: ref.weight },
      beta: { kind: 'list', values: ref.bias },
    });
    check(name, ref, await trainAndInfer(ref, settings));
  });

  it('torch-whole is what a default bn normalize gives: the default settings are torch with momentum=None', async () => {
    const ref = loadReference('torch-whole');
    const settings = resolveTrainingSettings({});
    expect(settings).toMatchObject({ preset: 'torch', epsilon: ref.eps, momentum: 'cumulative', runningVariance: 'unbiased' });
    check('torch-whole (defaults)', ref, await trainAndInfer(ref, settings));
  });
});

describe('Keras BatchNormalization() defaults (--preset keras)', () => {
  it('keras-default: the preset alone gives ε 1e-3, momentum 0.01 and the biased running variance', async () => {
    const ref = loadReference('keras-default');
    const settings = resolveTrainingSettings({
      preset: 'keras',
      gamma: { kind: 'list', values: ref.weight },
      beta: { kind: 'list', values: ref.bias },
    });
    expect(settings).toMatchObject({ epsilon: 1e-3, momentum: 0.01, runningVariance: 'biased' });
    check('keras-default', ref, await trainAndInfer(ref, settings));
  });

  it('the torch rule on the same data is far off: the check can tell the presets apart', async () => {
    const ref = loadReference('keras-default');
    const settings = resolveTrainingSettings({ preset: 'keras', gamma: { kind: 'list', values: ref.weight }, beta: { kind: 'list', values: ref.bias } });
    const { saved } = await trainAndInfer(ref, { ...settings, runningVariance: 'unbiased' });
    expect(relativeError(saved.runningVar, ref.running_var)).toBeGreaterThan(1e-4);
  });
});

afterAll(() => {
  const rows = Object.entries(measured).map(([name, e]) => `${name.padEnd(24)} ${Object.values(e).map((x) => x.toExponential(1).padStart(12)).join('')}`);
  const header = `${'config'.padEnd(24)} ${['train_out', 'batch_mean', 'batch_var', 'run_mean', 'run_var', 'eval_out'].map((h) => h.padStart(12)).join('')}`;
  console.log(`worst relative error vs the reference (outputs: relative to max(|y|, |γ|)):\n${header}\n${rows.join('\n')}`);
});
