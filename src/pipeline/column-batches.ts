/**
 * A columnar reader (Parquet, Arrow: ../io/columnar.ts) as a batch reader (./batch.ts): a
 * block's feature columns are copied into the batch's arrays a range at a time, with no row
 * built; the rows are built only when a writer or a message asks for one (BlockRecords).
 *
 * Features by type (SPEC §2): a numeric column becomes a feature at its first non-null value
 * (an all-null column, like an all-missing CSV column, is none), any other column is not one
 * unless --select names it (then its cells are parsed as text is).
 */
import type { ErrorLocation } from '../errors.js';
import { isNumericType } from '../io/column-types.js';
import type { ColumnarSource, ColumnBlock } from '../io/columnar.js';
import type { Cell, Row } from '../io/table.js';
import type { AsciiFieldSink } from '../io/text-cells.js';
import type { BatchConsumer, BatchEnd, BatchRecords, ReadEnd, RowBatch } from './batch.js';
import { BatchSlots, type Slot } from './batch-slots.js';
import { BATCH_ROWS, FeatureColumns } from './feature-columns.js';
import type { FeaturePlan } from './feature-plan.js';

/**
 * Helpers that read some of the blocks elsewhere (worker threads: ./row-group-workers.ts): they
 * hand out the blocks the main thread reads (`take`), may start once the first block has been
 * read (`afterBlock`: the features are decided by then), and say how many rows they read.
 */
export interface BlockHelpers {
  take(): number | undefined;
  afterBlock(consumer: BatchConsumer): void;
  /** Waits for the helpers' blocks; the rows they read. */
  finish(): Promise<number>;
}

/** Reads `source` to its end into `consumer`; the rows read are also added to `counter.rows` (a progress display's). */
export async function readColumnBatches(source: ColumnarSource, consumer: BatchConsumer, counter?: { rows: number }, helpers?: BlockHelpers): Promise<ReadEnd> {
  const plan = consumer.start(source);
  const batcher = new ColumnBatcher(plan, consumer, source);
  let rows = 0;
  try {
    // Without records kept, a block's numbers are copied into the batch and the block dropped: its
    // reader may reuse its memory, and needs to decode only the columns that are or may become features.
    const keep = consumer.records === 'keep';
    const lifetime = keep ? 'kept' : 'until-next';
    const wanted = keep ? undefined : source.columns.flatMap((_, j) => (plan.isFeature(j) || (plan.isUndecided(j) && isNumericType(source.types[j])) ? [j] : []));
    for await (const block of source.blocks(helpers && (() => helpers.take()), lifetime, wanted)) {
      await batcher.add(block);
      // A kept block's last rows handed on now, in a shorter batch, where batches may be of any
      // size: the block is then released before the next is read, and one row group's memory,
      // not two, is alive at a time (a group is often 100,000 rows and more, tens of MB).
      if (keep && consumer.batchRows === undefined) batcher.flush('more');
      rows += block.rows;
      if (counter) counter.rows += block.rows;
      helpers?.afterBlock(consumer);
      await consumer.afterChunk?.();
    }
    if (helpers) rows += await helpers.finish();
  } catch (err) {
    if (consumer.rowsBeforeError) batcher.flush('error');
    throw err;
  }
  batcher.flush('last');
  return { rows, shape: source };
}

/** Rows [from, from + count) of a block, the index of `from` in the table, and of its first row in the batch. */
interface Segment {
  block: ColumnBlock;
  from: number;
  count: number;
  record: number;
  at: number;
}

interface BlockSlot extends Slot {
  segments: Segment[];
}

class ColumnBatcher {
  private readonly slots: BatchSlots<BlockSlot>;

  constructor(
    private readonly plan: FeaturePlan,
    private readonly consumer: BatchConsumer,
    private readonly source: ColumnarSource,
  ) {
    const slot = (): BlockSlot => {
      const columns = new FeatureColumns(consumer.batchRows ?? BATCH_ROWS, consumer.batchRows !== undefined);
      const segments: Segment[] = [];
      const batch: RowBatch = { rows: 0, values: columns.values };
      if (consumer.records === 'keep') batch.records = new BlockRecords(segments, source);
      return { batch, columns, segments };
    };
    this.slots = new BatchSlots(plan, consumer, slot, (s) => this.drop(s.segments));
  }

  /** How many segments of the batches being filled or held have rows of each block. */
  private readonly holders = new Map<ColumnBlock, number>();
  /** The block add() is taking rows from. */
  private adding: ColumnBlock | undefined;

  /**
   * A block's rows into batches, handed on as they fill. The consumer's output drains between
   * batches (afterChunk), not only between blocks: a row group is often 100,000 rows or more,
   * whose CSV text, buffered whole, grew the writer's buffer to tens of MB.
   */
  async add(block: ColumnBlock): Promise<void> {
    this.adding = block;
    try {
      await this.addRows(block);
    } finally {
      this.adding = undefined;
    }
    if (!this.holders.has(block)) block.release?.();
  }

  /**
   * A slot's segments, done with: a block none of whose rows is in a batch any more is released
   * to its reader (BatchSlots clears a slot only once its batch has been handed on and let go).
   */
  private drop(segments: Segment[]): void {
    for (const { block } of segments) {
      const left = this.holders.get(block)! - 1;
      if (left > 0) this.holders.set(block, left);
      else {
        this.holders.delete(block);
        if (block !== this.adding) block.release?.();
      }
    }
    segments.length = 0;
  }

  private async addRows(block: ColumnBlock): Promise<void> {
    const first = block.start;
    const { slots } = this;
    const numbers = new Map<number, Float64Array>();
    const numbersOf = (j: number) => {
      let values = numbers.get(j);
      if (values === undefined) numbers.set(j, (values = block.numbers(j)));
      return values;
    };
    this.decide(numbersOf);
    for (let from = 0; from < block.rows; ) {
      if (this.consumer.holds && slots.current.batch.rows >= slots.current.columns.limit) await this.flushMore();
      const { batch, columns, segments } = slots.current;
      const at = batch.rows;
      const count = Math.min(block.rows - from, Math.max(1, columns.limit - at));
      columns.fit(at + count - 1);
      for (const j of columns.features) this.copy(block, j, from, count, at, batch.values[j]!, numbersOf);
      if (batch.records) {
        segments.push({ block, from, count, record: first + from, at });
        this.holders.set(block, (this.holders.get(block) ?? 0) + 1);
      }
      batch.rows = at + count;
      from += count;
      if (!this.consumer.holds && batch.rows >= columns.limit) await this.flushMore();
    }
  }

  /** Rows [from, from + count) of feature column j into `out` from row `at`. */
  private copy(block: ColumnBlock, j: number, from: number, count: number, at: number, out: Float64Array, numbersOf: (j: number) => Float64Array): void {
    if (isNumericType(this.source.types[j])) {
      out.set(numbersOf(j).subarray(from, from + count), at);
      return;
    }
    // A column of another type named by --select: its cells are read as text would be.
    for (let k = 0; k < count; k++) {
      const record = block.start + from + k;
      out[at + k] = this.plan.value(block.cell(from + k, j), j, { cells: [], line: 0, record });
    }
  }

  /** Undecided columns: not features when not numeric; features at their first non-null value when numeric. */
  private decide(numbersOf: (j: number) => Float64Array): void {
    for (const j of this.plan.undecided()) {
      if (!isNumericType(this.source.types[j])) this.plan.decide(j, false);
      else if (numbersOf(j).some((x) => x === x)) this.plan.decide(j, true);
    }
    if (this.slots.stale) this.slots.refreshFeatures();
  }

  /** A full batch handed on, more to come; then the consumer's output may drain. */
  private async flushMore(): Promise<void> {
    this.flush('more');
    await this.consumer.afterChunk?.();
  }

  flush(end: BatchEnd): void {
    this.slots.flush(end);
  }
}

/** Segment `s` holds row i of its batch. */
function holds(s: Segment | undefined, i: number): boolean {
  return s !== undefined && s.at <= i && i < s.at + s.count;
}

/** The rows of a batch, built from its blocks when asked for. */
class BlockRecords implements BatchRecords {
  /** The segment of the row found last: writers ask for rows in order. */
  private cursor = 0;

  constructor(
    private readonly segments: Segment[],
    private readonly source: ColumnarSource,
  ) {}

  /** The segment that holds row i of the batch (asked for every cell a writer writes: no closure, no allocation). */
  private segmentOf(i: number): Segment {
    const { segments } = this;
    const here = segments[this.cursor];
    if (holds(here, i)) return here!;
    const next = segments[this.cursor + 1];
    if (holds(next, i)) {
      this.cursor++;
      return next!;
    }
    // Out of order (a message about an earlier row): a binary search over the segments' starts.
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segments[mid]!.at <= i) lo = mid;
      else hi = mid - 1;
    }
    if (!holds(segments[lo], i)) throw new RangeError(`row ${i} is not in the batch`);
    this.cursor = lo;
    return segments[lo]!;
  }

  row(i: number): Row {
    const { block, from, at, record } = this.segmentOf(i);
    const k = from + i - at;
    const width = this.source.columns.length;
    const cells = new Array(width);
    for (let j = 0; j < width; j++) cells[j] = block.cell(k, j);
    return { cells, line: 0, record: record + i - at };
  }

  readonly value = (i: number, j: number): Cell => {
    const { block, from, at } = this.segmentOf(i);
    return block.cell(from + i - at, j);
  };

  readonly writeAscii = (i: number, j: number, out: AsciiFieldSink): boolean => {
    // Only a text column's cells may be held as bytes: any other asks value(), which finds the row again.
    if (this.source.types[j]?.kind !== 'string') return false;
    const { block, from, at } = this.segmentOf(i);
    return block.writeAscii !== undefined && block.writeAscii(from + i - at, j, out);
  };

  cell(i: number, j: number): { value: unknown; where: ErrorLocation } {
    const { block, from, at, record } = this.segmentOf(i);
    return { value: block.cell(from + i - at, j), where: { file: this.source.label, record: record + i - at, name: this.source.columns[j] } };
  }
}
