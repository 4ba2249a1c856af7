/**
 * The flags of the BN model — ε, γ, β, and for training momentum, preset and --save-stats —
 * and the one function per mode that turns them into resolved settings (STYLE: loose outside,
 * strict inside). Which flags were given matters: explicit flags override a preset, or a stats
 * file in inference mode, so none of these has a commander default.
 */
import { Command, Option } from 'commander';
import type { Momentum } from '../engine/running-stats.js';
import { BnError } from '../errors.js';
import { parseAffineSpec, type AffineSpec } from '../pipeline/affine.js';
import { PRESET_NAMES, resolveTrainingSettings, type Preset, type TrainingSettings } from '../pipeline/presets.js';
import { fileName, momentumValue, nonNegativeNumber } from './parse-option.js';

export interface ModelFlags {
  epsilon?: number;
  gamma?: string;
  beta?: string;
  momentum?: Momentum;
  preset?: Preset;
  saveStats?: string;
}

/**
 * -e, --gamma, --beta. `withStats`: the command may read a stats file, whose values are then the
 * defaults; `statsOnly`: it always reads one (bn export), so they are the only defaults.
 */
export function addAffineOptions(command: Command, { withStats = false, statsOnly = false } = {}): Command {
  const fromFile = withStats ? '; with --stats: the file\'s' : '';
  const defaults = statsOnly ? { eps: "the stats file's", gamma: "the stats file's", beta: "the stats file's" } : { eps: `1e-5, 1e-3 with --preset keras, 0 with sklearn${fromFile}`, gamma: `1${fromFile}`, beta: `0${fromFile}` };
  return command
    .option('-e, --epsilon <e>', `ε added to the variance (default: ${defaults.eps})`, nonNegativeNumber)
    .option('--gamma <spec>', `scale γ: one number, a list (one per feature), or name=value pairs (default: ${defaults.gamma})`)
    .option('--beta <spec>', `shift β: one number, a list (one per feature), or name=value pairs (default: ${defaults.beta})`);
}

export function addTrainingOptions(command: Command, saveStatsHelp: string): Command {
  return command
    .option('-m, --momentum <m>', 'running statistics: weight M of each new batch, 0 < M ≤ 1, or "cumulative" (default: cumulative, 0.01 with --preset keras)', momentumValue)
    .addOption(
      new Option(
        '--preset <name>',
        'torch (PyTorch BatchNorm1d), keras (ε 1e-3, momentum 0.01, biased running variance) or sklearn (StandardScaler: ε 0, running statistics of every row, a constant feature scaled by 1) (default: torch)',
      ).choices(PRESET_NAMES),
    )
    .option('--save-stats <file>', saveStatsHelp, fileName);
}

function affineSpecs(flags: ModelFlags): { gamma?: AffineSpec; beta?: AffineSpec } {
  return {
    gamma: flags.gamma === undefined ? undefined : parseAffineSpec('--gamma', flags.gamma),
    beta: flags.beta === undefined ? undefined : parseAffineSpec('--beta', flags.beta),
  };
}

/** Training (and `stats --save-stats`): the preset's values, overridden by the flags given. */
export function resolveTraining(flags: ModelFlags): TrainingSettings {
  return resolveTrainingSettings({ preset: flags.preset, epsilon: flags.epsilon, momentum: flags.momentum, ...affineSpecs(flags) });
}

/** Inference: only overrides of the stats file; training-only flags are usage errors. */
export function resolveInferenceOverrides(
  flags: ModelFlags & { batchSize?: number },
): { epsilon?: number; gamma?: AffineSpec; beta?: AffineSpec } {
  const trainingOnly: Array<[unknown, string, string]> = [
    [flags.batchSize, '-b/--batch-size', 'inference mode has no batches: every row is normalized with the saved running statistics'],
    [flags.saveStats, '--save-stats', 'inference mode trains nothing, so there are no new statistics to save'],
    [flags.momentum, '-m/--momentum', 'momentum only shapes the running statistics of a training pass; inference mode uses the saved ones'],
    [flags.preset, '--preset', 'a preset only sets training defaults; inference mode takes ε, γ and β from the stats file'],
  ];
  for (const [value, flag, why] of trainingOnly) {
    if (value !== undefined) throw new BnError('BN_USAGE', `${flag} cannot be used with --stats: ${why}`);
  }
  return { epsilon: flags.epsilon, ...affineSpecs(flags) };
}
