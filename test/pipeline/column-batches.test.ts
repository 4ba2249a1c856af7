/**
 * src/pipeline/column-batches.ts with a columnar source whose blocks fail once released: a block
 * a batch still holds (or a consumer that holds a batch still reads) is never released, every
 * other one is, exactly once; the consumer's output drains between batches, not only between blocks.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/io/column-types.js';
import type { ColumnarSource, ColumnBlock } from '../../src/io/columnar.js';
import type { BatchConsumer, RowBatch } from '../../src/pipeline/batch.js';
import { readColumnBatches } from '../../src/pipeline/column-batches.js';
import { makePlan } from '../../src/pipeline/feature-plan.js';

/** Blocks of `sizes` rows: x = the row's index in the table, s = "r" + that index; each counts its releases and fails when read after one. */
function sourceOf(sizes: number[]) {
  const releases = new Map<number, number>();
  const blocks: ColumnBlock[] = [];
  let start = 0;
  for (const rows of sizes) {
    const first = start;
    const released = () => (releases.get(first) ?? 0) > 0;
    const check = () => {
      if (released()) throw new Error(`block at ${first} read after its release`);
    };
    blocks.push({
      rows,
      start: first,
      numbers: (j) => {
        check();
        if (j !== 0) throw new RangeError('not numeric');
        return Float64Array.from({ length: rows }, (_, i) => first + i);
      },
      cell: (i, j) => {
        check();
        return j === 0 ? first + i : `r${first + i}`;
      },
      release: () => releases.set(first, (releases.get(first) ?? 0) + 1),
    });
    start += rows;
  }
  const source: ColumnarSource = {
    columns: ['x', 's'],
    label: 'test',
    keyed: true,
    format: 'parquet',
    types: [{ kind: 'float', bits: 64 }, { kind: 'string' }] satisfies ColumnType[],
    async *blocks() {
      for (const [k, block] of blocks.entries()) {
        // Whether the block before was released by the time this one is read.
        if (k > 0) releasedBeforeNext.push(releases.get(blocks[k - 1]!.start) ?? 0);
        yield block;
      }
    },
  };
  const releasedBeforeNext: number[] = [];
  return { source, releases, total: start, starts: blocks.map((b) => b.start), releasedBeforeNext };
}

/** A consumer that keeps the records and reads every cell of each batch (and of the batch it holds, at the next call). */
function consumerOf(options: { holds?: boolean; batchRows?: number }) {
  const seen: string[] = [];
  let held: { batch: RowBatch; rows: number; values: number[] } | undefined;
  let drains = 0;
  let batches = 0;
  const read = (batch: RowBatch) => Array.from({ length: batch.rows }, (_, i) => `${batch.records!.value(i, 0)}:${batch.records!.value(i, 1)}`);
  const consumer: BatchConsumer = {
    records: 'keep',
    rowsBeforeError: false,
    holds: options.holds,
    batchRows: options.batchRows,
    start: (shape) => makePlan(shape, { isMissing: () => false }),
    batch(batch) {
      batches++;
      // The batch held since the last call is still as it was.
      if (held) expect(read(held.batch)).toEqual(held.values.map((x) => `${x}:r${x}`));
      const cells = read(batch);
      seen.push(...cells);
      if (options.holds) held = { batch, rows: batch.rows, values: cells.map((c) => Number(c.split(':')[0])) };
    },
    afterChunk: async () => {
      drains++;
    },
  };
  return { consumer, seen, counts: () => ({ drains, batches }) };
}

describe('readColumnBatches: kept blocks released once no batch holds their rows', () => {
  it.each([
    ['blocks longer and shorter than a batch', [10_000, 3, 5_000, 100, 4_096, 1]],
    ['one block', [9_000]],
    ['blocks of one row', [1, 1, 1, 1, 1]],
  ])('%s', async (_name, sizes) => {
    const { source, releases, total, starts, releasedBeforeNext } = sourceOf(sizes);
    const { consumer, seen, counts } = consumerOf({});
    await readColumnBatches(source, consumer);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => `${i}:r${i}`));
    // Batches of any size: a block's last rows go out with it, so it is released before the next is read.
    expect(releasedBeforeNext).toEqual(starts.slice(1).map(() => 1));
    // Every block released once: each batch lets its slot go once handed on, the last one too.
    expect(starts.map((start) => releases.get(start) ?? 0)).toEqual(starts.map(() => 1));
    // Output drains after every full batch, not only after each block.
    expect(counts().drains).toBeGreaterThanOrEqual(counts().batches - 1);
  });

  it('a consumer that holds each batch until the next (training with -b): the held batch stays readable', async () => {
    const { source, releases, total } = sourceOf([2_500, 700, 3_000, 10]);
    const { consumer, seen } = consumerOf({ holds: true, batchRows: 1_000 });
    await readColumnBatches(source, consumer);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => `${i}:r${i}`));
    // The last batch (rows 6000 on) is held to the end: the blocks with rows in it are never released.
    expect([0, 2_500, 3_200, 6_200].map((start) => releases.get(start) ?? 0)).toEqual([1, 1, 0, 0]);
  });
});
