/**
 * `--preset torch|keras|sklearn` (SPEC §3) and the resolved training settings every training
 * command (stats --save-stats, normalize) works with. Explicit flags override the preset's values.
 */
import type { Momentum, RunningVariance } from '../engine/running-stats.js';
import { BnError } from '../errors.js';
import type { AffineSpec } from './affine.js';

export type Preset = 'torch' | 'keras' | 'sklearn';

export interface PresetRules {
  epsilon: number;
  momentum: Momentum;
  runningVariance: RunningVariance;
  /**
   * 'batches': the running statistics follow the batches (momentum). 'dataset': they are the
   * statistics of every row seen, exactly, however the rows were batched (StandardScaler's
   * mean_ and var_, which partial_fit keeps exact).
   */
  running: 'batches' | 'dataset';
  /**
   * The scale where σ² + ε = 0 (a constant feature with ε = 0): 0, as PyTorch's InvStd (every y is
   * β); or 1, as scikit-learn's _handle_zeros_in_scale (every y is x − μ = 0, then γ·0 + β).
   */
  flatScale: 0 | 1;
  /**
   * The fewest values of a feature a batch is trained on: 2 for PyTorch, which refuses one
   * ("Expected more than 1 value per channel when training"); 1 for Keras and scikit-learn, which
   * take one (its variance 0: Keras's y is β, StandardScaler's x − μ = 0).
   */
  fewestValues: 1 | 2;
}

export const PRESETS: Readonly<Record<Preset, PresetRules>> = {
  // PyTorch's BatchNorm1d with momentum=None: one pass over a dataset saves its own statistics.
  torch: { epsilon: 1e-5, momentum: 'cumulative', runningVariance: 'unbiased', running: 'batches', flatScale: 0, fewestValues: 2 },
  // Keras's BatchNormalization(): epsilon 1e-3, momentum 0.99 (our M = 1 − 0.99), biased variance.
  keras: { epsilon: 1e-3, momentum: 0.01, runningVariance: 'biased', running: 'batches', flatScale: 0, fewestValues: 1 },
  // scikit-learn's StandardScaler(): no ε, the biased variance of all rows, a constant feature scaled by 1.
  sklearn: { epsilon: 0, momentum: 'cumulative', runningVariance: 'biased', running: 'dataset', flatScale: 1, fewestValues: 1 },
};

export const PRESET_NAMES = Object.keys(PRESETS) as Preset[];

/** Whether `name` is a preset (a stats file's "preset", a flag's value). */
export function isPreset(name: unknown): name is Preset {
  return typeof name === 'string' && Object.hasOwn(PRESETS, name);
}

/** Strict inside: every field decided and valid. */
export interface TrainingSettings {
  preset: Preset;
  /** ε ≥ 0. */
  epsilon: number;
  momentum: Momentum;
  runningVariance: RunningVariance;
  running: PresetRules['running'];
  flatScale: PresetRules['flatScale'];
  fewestValues: PresetRules['fewestValues'];
  gamma?: AffineSpec;
  beta?: AffineSpec;
}

/** The preset's values, overridden by whichever flags were given (validated by the caller). */
export function resolveTrainingSettings(given: {
  preset?: Preset;
  epsilon?: number;
  momentum?: Momentum;
  gamma?: AffineSpec;
  beta?: AffineSpec;
}): TrainingSettings {
  const preset = given.preset ?? 'torch';
  const base = PRESETS[preset];
  if (base.running === 'dataset' && given.momentum !== undefined) {
    throw new BnError('BN_USAGE', `-m/--momentum cannot be used with --preset ${preset}: its running statistics are those of every row seen, whatever the batches`);
  }
  return {
    preset,
    epsilon: given.epsilon ?? base.epsilon,
    momentum: given.momentum ?? base.momentum,
    runningVariance: base.runningVariance,
    running: base.running,
    flatScale: base.flatScale,
    fewestValues: base.fewestValues,
    gamma: given.gamma,
    beta: given.beta,
  };
}
