/**
 * Whole-input training normalize reads its input twice (statistics, then rows): the second pass
 * must read the rows the first one did.
 */
import { describe, it } from 'vitest';
import type { Row, TableSource } from '../../src/io/table.js';
import type { TableSink } from '../../src/io/table-sink.js';
import { missingTest } from '../../src/io/missing.js';
import { normalizeTraining } from '../../src/pipeline/normalize.js';
import { expectBnError } from '../helpers/run-bn.js';

/** A CSV-like source of column `x` holding `values`. */
function source(values: number[]): TableSource {
  const columns: string[] = [];
  async function* chunks(): AsyncGenerator<Row[]> {
    columns.push('x');
    yield values.map((v, i) => ({ cells: [String(v)], line: i + 2 }));
  }
  return { format: 'csv', label: 'd.csv', columns, keyed: true, chunks };
}

const sink: TableSink = { start: async () => {}, rows: async () => {}, end: async () => {} };

describe('normalize: the input changes between the two passes', () => {
  it.each([
    ['rows cut before the second pass', [1, 2, 3, 4], [1, 2, 3], /^the input changed between the two passes: 4 rows in the first, 3 in the second$/],
    ['rows appended before the second pass', [1, 2], [1, 2, 5], /^the input changed between the two passes: 2 rows in the first, 3 in the second$/],
  ])('%s: BN_READ_FAILED', async (_name, first, second, message) => {
    const passes = [source(first), source(second)];
    await expectBnError(normalizeTraining(() => passes.shift()!, sink, { isMissing: missingTest(), epsilon: 1e-5 }), {
      code: 'BN_READ_FAILED',
      exit: 1,
      location: { file: 'd.csv' },
      message,
    });
  });
});
