/**
 * bn as a library: the pure engine (moments, batch normalization, running statistics), and the
 * pipeline pieces for programs that bring their own rows.
 */
export * from './engine/index.js';
export { BnError, type ErrorCode, type ErrorLocation } from './errors.js';
export { computeStats, type DatasetStats } from './pipeline/compute-stats.js';
export type { BatchSummary } from './pipeline/batch-moments.js';
export { normalizeTraining } from './pipeline/normalize.js';
export { transformWithStats, type Direction, type InferenceOptions } from './pipeline/inference.js';
export { PRESETS, resolveTrainingSettings, type Preset, type TrainingSettings } from './pipeline/presets.js';
export { runningStatsOf, statsFileOf } from './pipeline/running.js';
export {
  parseStatsFile,
  readStatsFile,
  statsFileJson,
  type InferenceStats,
  type LoadedStats,
  type StatsFile,
} from './stats-file.js';
export { mergeStatsFiles, type LabelledStats } from './stats-merge.js';
export { run } from './cli/run.js';
