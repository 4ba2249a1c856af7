/**
 * bn as a library: the pure engine (moments, batch normalization, running statistics), and the
 * pipeline pieces for programs that bring their own rows.
 */
export * from './engine/index.js';
export { BnError, type ErrorCode, type ErrorLocation } from './errors.js';
export { computeStats, type DatasetStats, type BatchSummary } from './pipeline/compute-stats.js';
export { normalizeTraining } from './pipeline/normalize.js';
export { run } from './cli/run.js';
