/**
 * `--preset torch|keras` (SPEC §3) and the resolved training settings every training command
 * (stats --save-stats, normalize) works with. Explicit flags override the preset's values.
 */
import type { Momentum, RunningVariance } from '../engine/running-stats.js';
import type { AffineSpec } from './affine.js';

export type Preset = 'torch' | 'keras';

export const PRESETS: Readonly<Record<Preset, { epsilon: number; momentum: Momentum; runningVariance: RunningVariance }>> = {
  // PyTorch's BatchNorm1d with momentum=None: one pass over a dataset saves its own statistics.
  torch: { epsilon: 1e-5, momentum: 'cumulative', runningVariance: 'unbiased' },
  // Keras's BatchNormalization(): epsilon 1e-3, momentum 0.99 (our M = 1 − 0.99), biased variance.
  keras: { epsilon: 1e-3, momentum: 0.01, runningVariance: 'biased' },
};

/** Strict inside: every field decided and valid. */
export interface TrainingSettings {
  preset: Preset;
  /** ε ≥ 0. */
  epsilon: number;
  momentum: Momentum;
  runningVariance: RunningVariance;
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
  return {
    preset,
    epsilon: given.epsilon ?? base.epsilon,
    momentum: given.momentum ?? base.momentum,
    runningVariance: base.runningVariance,
    gamma: given.gamma,
    beta: given.beta,
  };
}
