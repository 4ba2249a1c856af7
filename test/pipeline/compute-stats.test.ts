/**
 * The statistics pass over a table whose column list grows (JSON objects whose keys first appear
 * in a later chunk), checked against an independent exact computation (test/helpers/exact.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Row, TableSource } from '../../src/io/table.js';
import { missingTest } from '../../src/io/missing.js';
import { computeStats } from '../../src/pipeline/compute-stats.js';
import { parseSelection } from '../../src/pipeline/select.js';
import { exactMoments, seededRandom } from '../helpers/exact.js';
import { expectBnError, expectClose } from '../helpers/run-bn.js';

/** Records of keys `x` (every one) and `w` (from record `wFrom` on), in chunks of `chunk` rows. */
function growingSource(xs: number[], ws: (number | null)[], wFrom: number, chunk = 100): TableSource {
  const columns: string[] = [];
  async function* chunks(): AsyncGenerator<Row[]> {
    for (let start = 0; start < xs.length; start += chunk) {
      const rows: Row[] = [];
      for (let i = start; i < Math.min(xs.length, start + chunk); i++) {
        if (columns.length === 0) columns.push('x');
        if (i === wFrom) columns.push('w');
        rows.push(i < wFrom ? { cells: [xs[i]], line: 0, record: i, keys: [0] } : { cells: [xs[i], ws[i - wFrom]], line: 0, record: i, keys: [0, 1] });
      }
      yield rows;
    }
  }
  return { format: 'json', label: 'g.json', columns, keyed: true, chunks };
}

describe('a column first seen in row 500', () => {
  const rand = seededRandom(3);
  const xs = Array.from({ length: 1000 }, () => 1e6 + rand() * 100);
  const ws = Array.from({ length: 500 }, () => rand() - 0.5);

  it('is a feature of the whole input, with exact statistics', async () => {
    const stats = await computeStats(growingSource(xs, ws, 500), { isMissing: missingTest() });
    expect(stats.columns).toEqual(['x', 'w']);
    expect(stats.features).toEqual([0, 1]);
    for (const [j, values] of [[0, xs], [1, ws]] as const) {
      const exact = exactMoments(values);
      expect(stats.total.count(j)).toBe(values.length);
      // w's mean is near 0 (values in ±0.5): relative to it, rounding is larger than for x.
      expectClose(stats.total.mean(j), exact.mean, 1e-13);
      expectClose(stats.total.variance(j), exact.variance, 1e-13);
      expect(stats.total.min(j)).toBe(Math.min(...values));
      expect(stats.total.max(j)).toBe(Math.max(...values));
    }
  });

  it('and of the batches it appears in, with -b', async () => {
    const stats = await computeStats(growingSource(xs, ws, 500), { isMissing: missingTest(), batchSize: 300 });
    expect(stats.batches.map((b) => b.moments.count(1))).toEqual([0, 100, 300, 100]);
    expect(stats.batches[0]!.moments.mean(1)).toBeNaN();
    expectClose(stats.batches[2]!.moments.variance(1), exactMoments(ws.slice(100, 400)).variance, 1e-13);
    expectClose(stats.total.variance(1), exactMoments(ws).variance, 1e-13);
    expectClose(stats.batches[0]!.moments.variance(0), exactMoments(xs.slice(0, 300)).variance, 1e-13);
  });

  it('can be selected by a name that is not in the first chunk', async () => {
    const stats = await computeStats(growingSource(xs, ws, 500), { isMissing: missingTest(), select: parseSelection('w') });
    expect(stats.features).toEqual([1]);
  });

  it('a selected column without a number is an error', async () => {
    await expectBnError(
      computeStats(growingSource(xs, ws.map(() => null), 500), { isMissing: missingTest(), select: parseSelection('x,w') }),
      { code: 'BN_EMPTY_COLUMN', exit: 1, location: { file: 'g.json', name: 'w' }, message: /no number/ },
    );
  });

  it('a selected name that never appears is a usage error once the input is read', async () => {
    await expectBnError(computeStats(growingSource(xs, ws, 500), { isMissing: missingTest(), select: parseSelection('x,nope') }), {
      code: 'BN_UNKNOWN_COLUMN',
      exit: 2,
      location: { file: 'g.json' },
      message: /no column "nope" \(2 columns: "x", "w"\)/,
    });
  });
});
