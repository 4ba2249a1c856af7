/**
 * `bn stats` output for programs: the JSON object of SPEC §4, CSV (one row a feature) and NDJSON
 * (one line a feature, then one a batch and feature); the table for people is in stats-table.ts.
 * NaN (no value, or a sample variance of one value) is null in JSON and blank in CSV: bn never
 * prints NaN. The statistics, and their order, are those of src/statistics.ts.
 */
import { stringify } from 'csv-stringify/sync';
import type { Moments } from '../engine/moments.js';
import type { DatasetStats } from '../pipeline/compute-stats.js';
import type { BatchSummary } from '../pipeline/batch-moments.js';
import { BATCH_STATISTICS, TOTAL_STATISTICS, type Statistic } from '../statistics.js';

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Each statistic's key, with its value for every feature: `{"count": [10,10], "mean": …}`. */
function statisticColumns(stats: DatasetStats, m: Moments, statistics: readonly Statistic[]): Record<string, (number | null)[]> {
  return Object.fromEntries(statistics.map((s) => [s.key, stats.features.map((j) => orNull(s.of(m, j)))]));
}

/** Each statistic's key, with its value for feature j: `{"count": 10, "mean": …}`. */
function statisticValues(m: Moments, j: number, statistics: readonly Statistic[]): Record<string, number | null> {
  return Object.fromEntries(statistics.map((s) => [s.key, orNull(s.of(m, j))]));
}

export function statsObject(stats: DatasetStats) {
  return {
    features: stats.features.map((j) => stats.columns[j]!),
    rows: stats.rows,
    ...statisticColumns(stats, stats.total, TOTAL_STATISTICS),
    batches: stats.batches.map((b) => ({ index: b.index, rows: b.rows, ...foldedRows(b), ...statisticColumns(stats, b.moments, BATCH_STATISTICS) })),
  };
}

/** `folded`: the rows of a last batch too small to train on that this batch took in (--last-batch fold). */
function foldedRows(b: BatchSummary): { folded?: number } {
  return b.folded ? { folded: b.folded } : {};
}

/** One key per line and one batch per line: readable by a person, `jq` and `JSON.parse` alike. */
export function statsJson(stats: DatasetStats): string {
  const lines = Object.entries(statsObject(stats)).map(([key, value]) =>
    key === 'batches' && Array.isArray(value)
      ? `  "batches": [${value.map((b) => `\n    ${JSON.stringify(b)}`).join(',')}\n  ]`
      : `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** One row a feature: its name, then the whole input's statistics (feature,count,mean,var,var_sample,min,max), numbers in full (shortest round-trip form). */
export function statsCsv(stats: DatasetStats): string {
  const header = ['feature', ...TOTAL_STATISTICS.map((s) => s.key)];
  const rows = stats.features.map((j) => [stats.columns[j]!, ...TOTAL_STATISTICS.map((s) => String(orNull(s.of(stats.total, j)) ?? ''))]);
  return stringify([header, ...rows], { record_delimiter: '\n' });
}

/**
 * One line a feature with the statistics of the whole input ({"feature", "count", … "max"}),
 * then one line a batch and feature ({"batch", "rows", "feature", "count", "mean", "var"}), one
 * batch even without --batch-size, as in the JSON object.
 */
export function statsNdjson(stats: DatasetStats): string {
  const lines: string[] = [];
  for (const j of stats.features) {
    lines.push(JSON.stringify({ feature: stats.columns[j], ...statisticValues(stats.total, j, TOTAL_STATISTICS) }));
  }
  for (const b of stats.batches) {
    for (const j of stats.features) {
      lines.push(JSON.stringify({ batch: b.index, rows: b.rows, ...foldedRows(b), feature: stats.columns[j], ...statisticValues(b.moments, j, BATCH_STATISTICS) }));
    }
  }
  return `${lines.join('\n')}\n`;
}
