/** The pure numeric engine of bn: moments, the Batch Normalization transform, running statistics. */
export { Moments } from './moments.js';
export {
  normalizeColumn,
  denormalizeColumn,
  normalizeValue,
  denormalizeValue,
  normalizeScale,
  denormalizeScale,
} from './batch-norm.js';
export { initialRunningStats, updateRunningStats } from './running-stats.js';
export type { Momentum, RunningVariance, RunningStats } from './running-stats.js';
