/**
 * src/statistics.ts: the table of statistics drives every output. The table is mocked with one
 * more entry, `std` (√var, in totals and batches), placed between var and var_sample: the stats
 * table, the JSON object, CSV and NDJSON must all gain it, in the table's order, and the stats
 * file must not. The real table is pinned too; its exact outputs are checked by the CLI tests and
 * test/readme.test.ts.
 *
 * Data: the seed columns x1 = 1,3,…,19 and x2 = 2,4,…,20 in two batches of 5 (SPEC intro: var 33
 * for the whole input, 8 for each batch).
 */
import { Chalk } from 'chalk';
import { describe, expect, it, vi } from 'vitest';
import { statsCsv, statsJson, statsNdjson } from '../src/cli/stats-report.js';
import { statsTable } from '../src/cli/stats-table.js';
import { Moments } from '../src/engine/moments.js';
import type { DatasetStats } from '../src/pipeline/compute-stats.js';
import { summaryOf } from '../src/stats-file.js';
import { STATISTICS, type Statistic } from '../src/statistics.js';

vi.mock('../src/statistics.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/statistics.js')>();
  const std: Statistic = { key: 'std', describe: 'standard deviation', of: (m, j) => Math.sqrt(m.variance(j)), inTotals: true, inBatches: true, inStatsFile: false };
  const afterVar = real.STATISTICS.findIndex((s) => s.key === 'var') + 1;
  const table: Statistic[] = [...real.STATISTICS.slice(0, afterVar), std, ...real.STATISTICS.slice(afterVar)];
  return {
    ...real,
    STATISTICS: table,
    TOTAL_STATISTICS: table.filter((s) => s.inTotals),
    BATCH_STATISTICS: table.filter((s) => s.inBatches),
    STATS_FILE_STATISTICS: table.filter((s) => s.inStatsFile),
  };
});

type Place = 'inTotals' | 'inBatches' | 'inStatsFile';
const keysIn = (table: readonly Statistic[], place: Place) => table.filter((s) => s[place]).map((s) => s.key);

function seedStats(): DatasetStats {
  const x1 = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  const batch = (index: number) => {
    const moments = new Moments(2);
    const rows = x1.slice(index * 5, index * 5 + 5);
    moments.addColumn(0, Float64Array.from(rows));
    moments.addColumn(1, Float64Array.from(rows, (x) => x + 1));
    return { index, rows: rows.length, moments };
  };
  const batches = [batch(0), batch(1)];
  const total = batches[0]!.moments.clone();
  total.merge(batches[1]!.moments);
  return { columns: ['x1', 'x2'], features: [0, 1], rows: 10, total, batches };
}

describe('the real table of statistics', () => {
  it('puts count, mean, var, var_sample, min, max in the totals; count, mean, var in batches and the stats file', async () => {
    const real = await vi.importActual<typeof import('../src/statistics.js')>('../src/statistics.js');
    expect(keysIn(real.STATISTICS, 'inTotals')).toEqual(['count', 'mean', 'var', 'var_sample', 'min', 'max']);
    expect(keysIn(real.STATISTICS, 'inBatches')).toEqual(['count', 'mean', 'var']);
    expect(keysIn(real.STATISTICS, 'inStatsFile')).toEqual(['count', 'mean', 'var']);
    expect(real.TOTAL_STATISTICS.map((s) => s.key)).toEqual(keysIn(real.STATISTICS, 'inTotals'));
    expect(real.BATCH_STATISTICS.map((s) => s.key)).toEqual(keysIn(real.STATISTICS, 'inBatches'));
    expect(real.STATS_FILE_STATISTICS.map((s) => s.key)).toEqual(keysIn(real.STATISTICS, 'inStatsFile'));
  });

  it('has one entry a key', async () => {
    const real = await vi.importActual<typeof import('../src/statistics.js')>('../src/statistics.js');
    const keys = real.STATISTICS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('outputs follow the table (with std added between var and var_sample)', () => {
  const totals = keysIn(STATISTICS, 'inTotals');
  const batches = keysIn(STATISTICS, 'inBatches');

  it('mocks the table as intended', () => {
    expect(totals).toEqual(['count', 'mean', 'var', 'std', 'var_sample', 'min', 'max']);
    expect(batches).toEqual(['count', 'mean', 'var', 'std']);
  });

  it('CSV: the header is feature and the totals, and std is √var', () => {
    const [header, x1] = statsCsv(seedStats()).split('\n');
    expect(header).toBe(['feature', ...totals].join(','));
    expect(x1!.split(',')[totals.indexOf('std') + 1]).toBe(String(Math.sqrt(33)));
  });

  it('JSON: features, rows, the totals, batches; each batch index, rows and the batch statistics', () => {
    const doc = JSON.parse(statsJson(seedStats())) as { batches: Record<string, unknown>[]; std: number[] };
    expect(Object.keys(doc)).toEqual(['features', 'rows', ...totals, 'batches']);
    expect(doc.std).toEqual([Math.sqrt(33), Math.sqrt(33)]);
    for (const batch of doc.batches) expect(Object.keys(batch)).toEqual(['index', 'rows', ...batches]);
    expect(doc.batches[0]!.std).toEqual([Math.sqrt(8), Math.sqrt(8)]);
  });

  it('NDJSON: a feature line has feature and the totals; a batch line batch, rows, feature and the batch statistics', () => {
    const lines = statsNdjson(seedStats()).trimEnd().split('\n').map((line) => Object.keys(JSON.parse(line) as object));
    expect(lines).toEqual([
      ...[0, 1].map(() => ['feature', ...totals]),
      ...[0, 1, 2, 3].map(() => ['batch', 'rows', 'feature', ...batches]),
    ]);
  });

  it('the table: the totals header has feature and the totals, a batch section feature and the batch statistics', () => {
    const text = statsTable(seedStats(), { batchSize: 5, color: new Chalk({ level: 0 }) });
    const headers = text.split('\n').filter((line) => line.startsWith('feature')).map((line) => line.split(/\s+/));
    expect(headers).toEqual([['feature', ...totals], ['feature', ...batches], ['feature', ...batches]]);
  });

  it('the stats file: only the statistics marked for it, then the exact sums (std is not in it)', () => {
    expect(Object.keys(summaryOf(seedStats().total))).toEqual([...keysIn(STATISTICS, 'inStatsFile'), 'sum', 'sumOfSquares']);
    expect(Object.keys(summaryOf(seedStats().total))).toEqual(['count', 'mean', 'var', 'sum', 'sumOfSquares']);
  });
});
