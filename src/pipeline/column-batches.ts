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
import type { Row } from '../io/table.js';
import type { BatchConsumer, BatchEnd, BatchRecords, ReadEnd, RowBatch } from './batch.js';
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
  const batcher = new ColumnBatcher(consumer.start(source), consumer, source);
  let rows = 0;
  try {
    for await (const block of source.blocks(helpers && (() => helpers.take()))) {
      batcher.add(block);
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

/** Rows [from, from + count) of a block, and the index of `from` in the table. */
interface Segment {
  block: ColumnBlock;
  from: number;
  count: number;
  record: number;
}

/** The buffers a batch is filled in. */
interface Slot {
  batch: RowBatch;
  columns: FeatureColumns;
  segments: Segment[];
}

class ColumnBatcher {
  private batch: RowBatch;
  private columns: FeatureColumns;
  private segments: Segment[];
  private readonly slots: Slot[];
  private current = 0;
  private generation = -1;

  constructor(
    private readonly plan: FeaturePlan,
    private readonly consumer: BatchConsumer,
    private readonly source: ColumnarSource,
  ) {
    this.slots = consumer.holds ? [this.slot(), this.slot()] : [this.slot()];
    ({ batch: this.batch, columns: this.columns, segments: this.segments } = this.slots[0]!);
    this.refreshFeatures();
  }

  private slot(): Slot {
    const columns = new FeatureColumns(this.consumer.batchRows ?? BATCH_ROWS, this.consumer.batchRows !== undefined);
    const segments: Segment[] = [];
    const batch: RowBatch = { rows: 0, values: columns.values };
    if (this.consumer.records === 'keep') batch.records = new BlockRecords(segments, this.source);
    return { batch, columns, segments };
  }

  add(block: ColumnBlock): void {
    const first = block.start;
    const numbers = new Map<number, Float64Array>();
    const numbersOf = (j: number) => {
      let values = numbers.get(j);
      if (values === undefined) numbers.set(j, (values = block.numbers(j)));
      return values;
    };
    this.decide(block, numbersOf);
    for (let from = 0; from < block.rows; ) {
      if (this.consumer.holds && this.batch.rows >= this.columns.limit) this.flush('more');
      const at = this.batch.rows;
      const count = Math.min(block.rows - from, Math.max(1, this.columns.limit - at));
      this.columns.fit(at + count - 1);
      for (const j of this.columns.features) this.copy(block, j, from, count, at, first, numbersOf);
      if (this.batch.records) this.segments.push({ block, from, count, record: first + from });
      this.batch.rows = at + count;
      from += count;
      if (!this.consumer.holds && this.batch.rows >= this.columns.limit) this.flush('more');
    }
  }

  /** Rows [from, from + count) of feature column j into the batch from row `at`. */
  private copy(block: ColumnBlock, j: number, from: number, count: number, at: number, first: number, numbersOf: (j: number) => Float64Array): void {
    const out = this.batch.values[j]!;
    if (isNumericType(this.source.types[j])) {
      out.set(numbersOf(j).subarray(from, from + count), at);
      return;
    }
    // A column of another type named by --select: its cells are read as text would be.
    for (let k = 0; k < count; k++) {
      const record = first + from + k;
      out[at + k] = this.plan.value(block.cell(from + k, j), j, { cells: [], line: 0, record });
    }
  }

  /** Undecided columns: not features when not numeric; features at their first non-null value when numeric. */
  private decide(block: ColumnBlock, numbersOf: (j: number) => Float64Array): void {
    for (const j of this.plan.undecided()) {
      if (!isNumericType(this.source.types[j])) this.plan.decide(j, false);
      else if (numbersOf(j).some((x) => x === x)) this.plan.decide(j, true);
    }
    if (this.plan.generation !== this.generation) this.refreshFeatures();
  }

  flush(end: BatchEnd): void {
    if (this.batch.rows === 0) return;
    try {
      this.consumer.batch(this.batch, end);
    } finally {
      // A held batch stays as it is: the other slot is filled next.
      if (this.slots.length > 1) {
        this.current = 1 - this.current;
        ({ batch: this.batch, columns: this.columns, segments: this.segments } = this.slots[this.current]!);
      }
      this.batch.rows = 0;
      this.segments.length = 0;
      // The consumer may have settled the features (training with -b freezes them after a batch).
      this.refreshFeatures();
    }
  }

  private refreshFeatures(): void {
    this.generation = this.plan.generation;
    this.columns.refresh(this.plan);
  }
}

/** The rows of a batch, built from its blocks when asked for. */
class BlockRecords implements BatchRecords {
  constructor(
    private readonly segments: Segment[],
    private readonly source: ColumnarSource,
  ) {}

  private find(i: number): { block: ColumnBlock; k: number; record: number } {
    let rest = i;
    for (const { block, from, count, record } of this.segments) {
      if (rest < count) return { block, k: from + rest, record: record + rest };
      rest -= count;
    }
    throw new RangeError(`row ${i} is not in the batch`);
  }

  row(i: number): Row {
    const { block, k, record } = this.find(i);
    const width = this.source.columns.length;
    const cells = new Array(width);
    for (let j = 0; j < width; j++) cells[j] = block.cell(k, j);
    return { cells, line: 0, record };
  }

  cell(i: number, j: number): { value: unknown; where: ErrorLocation } {
    const { block, k, record } = this.find(i);
    return { value: block.cell(k, j), where: { file: this.source.label, record, name: this.source.columns[j] } };
  }
}
