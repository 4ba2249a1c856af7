/**
 * `bn stats` output for programs: the JSON object of SPEC §4, CSV (one row a feature) and NDJSON
 * (one line a feature, then one a batch and feature); the table for people is in stats-table.ts.
 * NaN (no value, or a sample variance of one value) is null in JSON and blank in CSV: bn never
 * prints NaN.
 */
import { stringify } from 'csv-stringify/sync';
import type { Moments } from '../engine/moments.js';
import type { DatasetStats } from '../pipeline/compute-stats.js';

type Stat = (m: Moments, j: number) => number;

const STATS: Record<string, Stat> = {
  count: (m, j) => m.count(j),
  mean: (m, j) => m.mean(j),
  var: (m, j) => m.variance(j),
  var_sample: (m, j) => m.sampleVariance(j),
  min: (m, j) => m.min(j),
  max: (m, j) => m.max(j),
};

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

function column(stats: DatasetStats, moments: Moments, stat: Stat): (number | null)[] {
  return stats.features.map((j) => orNull(stat(moments, j)));
}

export function statsObject(stats: DatasetStats) {
  const { total } = stats;
  return {
    features: stats.features.map((j) => stats.columns[j]!),
    rows: stats.rows,
    count: column(stats, total, STATS.count!),
    mean: column(stats, total, STATS.mean!),
    var: column(stats, total, STATS.var!),
    var_sample: column(stats, total, STATS.var_sample!),
    min: column(stats, total, STATS.min!),
    max: column(stats, total, STATS.max!),
    batches: stats.batches.map((b) => ({
      index: b.index,
      rows: b.rows,
      count: column(stats, b.moments, STATS.count!),
      mean: column(stats, b.moments, STATS.mean!),
      var: column(stats, b.moments, STATS.var!),
    })),
  };
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

/** One row a feature: feature,count,mean,var,var_sample,min,max, numbers in full (shortest round-trip form). */
export function statsCsv(stats: DatasetStats): string {
  const header = ['feature', ...Object.keys(STATS)];
  const stat = Object.values(STATS);
  const rows = stats.features.map((j) => [stats.columns[j]!, ...stat.map((s) => String(orNull(s(stats.total, j)) ?? ''))]);
  return stringify([header, ...rows], { record_delimiter: '\n' });
}

/**
 * One line a feature with the statistics of the whole input ({"feature", "count", … "max"}),
 * then one line a batch and feature ({"batch", "rows", "feature", "count", "mean", "var"}), one
 * batch even without --batch-size, as in the JSON object.
 */
export function statsNdjson(stats: DatasetStats): string {
  const entries = Object.entries(STATS);
  const perFeature = (m: Moments, j: number, keys: readonly string[]) =>
    Object.fromEntries(entries.filter(([k]) => keys.includes(k)).map(([k, s]) => [k, orNull(s(m, j))]));
  const lines: string[] = [];
  for (const j of stats.features) {
    lines.push(JSON.stringify({ feature: stats.columns[j], ...perFeature(stats.total, j, Object.keys(STATS)) }));
  }
  for (const b of stats.batches) {
    for (const j of stats.features) {
      lines.push(JSON.stringify({ batch: b.index, rows: b.rows, feature: stats.columns[j], ...perFeature(b.moments, j, ['count', 'mean', 'var']) }));
    }
  }
  return `${lines.join('\n')}\n`;
}
