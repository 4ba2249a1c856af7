/**
 * The statistics bn reports, once (a table like Miller's stats1 accumulators): each entry's name,
 * how it is computed from a feature's Moments, and where it appears. The `bn stats` table and the
 * `--to json|csv|ndjson` reports take their columns and keys from here, in this order, so a new
 * statistic is one entry (and its tests).
 */
import type { Moments } from './engine/moments.js';

export interface Statistic {
  /** Its name: a column of the table, a key of the reports (and of the stats file). */
  readonly key: string;
  /** What it is, for people. */
  readonly describe: string;
  /** Its value for feature j; NaN when it does not exist (printed blank or null, never NaN). */
  readonly of: (m: Moments, j: number) => number;
  /** Among the whole input's: the table's totals, the report's top-level keys, CSV columns, NDJSON feature lines. */
  readonly inTotals: boolean;
  /** Among each batch's: the table's batch sections, the JSON `batches` entries, NDJSON batch lines. */
  readonly inBatches: boolean;
  /** Among the exact statistics of the stats file: a change of the file's format, see summaryOf in stats-file.ts. */
  readonly inStatsFile: boolean;
}

export const STATISTICS = [
  { key: 'count', describe: 'number of non-missing values', of: (m, j) => m.count(j), inTotals: true, inBatches: true, inStatsFile: true },
  { key: 'mean', describe: 'mean μ_B', of: (m, j) => m.mean(j), inTotals: true, inBatches: true, inStatsFile: true },
  { key: 'var', describe: 'biased variance σ_B² (÷ n), the one BN uses', of: (m, j) => m.variance(j), inTotals: true, inBatches: true, inStatsFile: true },
  { key: 'var_sample', describe: 'sample variance (÷ n−1)', of: (m, j) => m.sampleVariance(j), inTotals: true, inBatches: false, inStatsFile: false },
  { key: 'min', describe: 'smallest value', of: (m, j) => m.min(j), inTotals: true, inBatches: false, inStatsFile: false },
  { key: 'max', describe: 'largest value', of: (m, j) => m.max(j), inTotals: true, inBatches: false, inStatsFile: false },
] as const satisfies readonly Statistic[];

type Entry = (typeof STATISTICS)[number];
type StatsFileEntry = Extract<Entry, { inStatsFile: true }>;
/** The names of the stats file's statistics: 'count' | 'mean' | 'var'. */
export type StatsFileKey = StatsFileEntry['key'];

export const TOTAL_STATISTICS: readonly Statistic[] = STATISTICS.filter((s) => s.inTotals);
export const BATCH_STATISTICS: readonly Statistic[] = STATISTICS.filter((s) => s.inBatches);
export const STATS_FILE_STATISTICS: readonly StatsFileEntry[] = STATISTICS.filter((s): s is StatsFileEntry => s.inStatsFile);
