/**
 * Running statistics of a training pass (SPEC §3) and the stats file that records them (§5).
 * `foldBatch` applies the engine's `updateRunningStats` to one batch's Moments (indexed by column),
 * as a pass in batches ends each one; `runningStatsOf` folds it over batches kept in order.
 */
import type { Moments } from '../engine/moments.js';
import { initialRunningStats, updateRunningStats, type BatchStatistics, type RunningStats } from '../engine/running-stats.js';
import { summaryOf, type StatsFile } from '../stats-file.js';
import type { BatchSummary } from './batch-moments.js';
import type { DatasetStats } from './compute-stats.js';
import type { TrainingSettings } from './presets.js';

/** How the running statistics are updated after each batch (SPEC §3). */
export type RunningSettings = Pick<TrainingSettings, 'momentum' | 'runningVariance' | 'running'>;

/** The BatchNorm1d buffers after every batch, starting from PyTorch's 0 and 1. */
export function runningStatsOf(batches: readonly BatchSummary[], features: readonly number[], settings: RunningSettings): RunningStats {
  let state: RunningStats | undefined;
  for (const batch of batches) state = foldBatch(state, batch.moments, features, settings);
  return state ?? initialRunningStats(features.length);
}

/**
 * The running statistics after one more batch (from PyTorch's 0 and 1 when there were none): what
 * a pass in batches calls as each batch ends, so that it need not keep the batches' Moments.
 */
export function foldBatch(state: RunningStats | undefined, moments: Moments, features: readonly number[], settings: RunningSettings): RunningStats {
  // Training checked every batch before (trainable: 2 values a feature); `bn stats --save-stats`
  // of a shard may hold fewer, and its file says so with null.
  return updateRunningStats(state ?? initialRunningStats(features.length), columnsOf(moments, features), settings.momentum, settings.runningVariance, 'unknown');
}

/** The statistics of columns `features` of `moments`, as features 0, 1, …: a view, nothing copied. */
function columnsOf(moments: Moments, features: readonly number[]): BatchStatistics {
  return {
    width: features.length,
    count: (f) => moments.count(features[f]!),
    mean: (f) => moments.mean(features[f]!),
    variance: (f) => moments.variance(features[f]!),
    sampleVariance: (f) => moments.sampleVariance(features[f]!),
  };
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
  const summary = summaryOf(stats.total.pick(stats.features));
  // StandardScaler's: the exact statistics of every row, whatever the batches.
  const dataset = settings.running === 'dataset';
  return {
    features: stats.features.map((j) => stats.columns[j]!),
    weight: Array.from(gamma),
    bias: Array.from(beta),
    runningMean: dataset ? [...summary.mean] : Array.from(running.mean),
    runningVar: dataset ? [...summary.var] : Array.from(running.var),
    numBatchesTracked: running.numBatchesTracked,
    eps: settings.epsilon,
    momentum: settings.momentum,
    preset: settings.preset,
    ...summary,
  };
}
