/**
 * Running statistics of a training pass (SPEC §3) and the stats file that records them (§5).
 * The pipeline keeps one Moments per batch, indexed by column; this folds the engine's
 * `updateRunningStats` over them, feature by feature, in batch order.
 */
import { initialRunningStats, updateRunningStats, type RunningStats } from '../engine/running-stats.js';
import { summaryOf, type StatsFile } from '../stats-file.js';
import type { BatchSummary, DatasetStats } from './compute-stats.js';
import type { TrainingSettings } from './presets.js';

/** The BatchNorm1d buffers after every batch, starting from PyTorch's 0 and 1. */
export function runningStatsOf(
  batches: readonly BatchSummary[],
  features: readonly number[],
  settings: Pick<TrainingSettings, 'momentum' | 'runningVariance'>,
): RunningStats {
  let state = initialRunningStats(features.length);
  for (const batch of batches) {
    state = updateRunningStats(state, batch.moments.pick(features), settings.momentum, settings.runningVariance);
  }
  return state;
}

/**
 * The stats file of a training pass: γ and β as used, the running statistics, the settings, and
 * the exact count/mean/var (with the mean's low part) of every row.
 */
export function statsFileOf(
  stats: DatasetStats & { folded?: { running: RunningStats } },
  settings: TrainingSettings,
  gamma: Float64Array,
  beta: Float64Array,
): StatsFile {
  const running = stats.folded?.running ?? runningStatsOf(stats.batches, stats.features, settings);
  return {
    features: stats.features.map((j) => stats.columns[j]!),
    weight: Array.from(gamma),
    bias: Array.from(beta),
    runningMean: Array.from(running.mean),
    runningVar: Array.from(running.var),
    numBatchesTracked: running.numBatchesTracked,
    eps: settings.epsilon,
    momentum: settings.momentum,
    preset: settings.preset,
    ...summaryOf(stats.total.pick(stats.features)),
  };
}
