/**
 * Whole-input training normalize reads its input twice (statistics, then rows): the second pass
 * must read the rows the first one did.
 */
import { describe, expect, it } from 'vitest';
import type { Row, TableSource } from '../../src/io/table.js';
import type { TableSink } from '../../src/io/table-sink.js';
import { missingTest } from '../../src/io/missing.js';
import { normalizeTraining } from '../../src/pipeline/normalize.js';
import { resolveTrainingSettings } from '../../src/pipeline/presets.js';
import { statsFileOf } from '../../src/pipeline/running.js';
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

describe('normalize --batch-size: the running statistics folded batch by batch', () => {
  it.each([
    ['torch, momentum 0.1', { preset: 'torch' as const, momentum: 0.1 }],
    ['torch, cumulative', { preset: 'torch' as const }],
    ['keras', { preset: 'keras' as const }],
  ])('%s: no batch kept, and the same stats file as from the kept batches', async (_name, flags) => {
    const settings = resolveTrainingSettings(flags);
    const values = Array.from({ length: 103 }, (_, i) => ((i * 37) % 17) - 8 + i / 10);
    const options = { isMissing: missingTest(), epsilon: settings.epsilon, batchSize: 10 };
    const kept = await normalizeTraining(() => source(values), sink, options);
    const folded = await normalizeTraining(() => source(values), sink, { ...options, running: settings });
    // Memory that grew with the rows: one Moments a batch. Folded, none is kept.
    expect(kept.batches).toHaveLength(11);
    expect(folded.batches).toHaveLength(0);
    expect(folded.folded?.batches).toBe(11);
    expect(statsFileOf(folded, settings, folded.gamma, folded.beta)).toEqual(statsFileOf(kept, settings, kept.gamma, kept.beta));
  });
});
