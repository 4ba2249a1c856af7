/**
 * A reader of rows (csv-parse, JSON, NDJSON: a TableSource) as a batch reader (./batch.ts): the
 * feature cells of each row are parsed by the plan into columns, and the rows themselves are the
 * batch's records. Columns a plan has not decided yet are decided as rows come (observe), and a
 * JSON key first seen late adds a column then.
 */
import type { ErrorLocation } from '../errors.js';
import type { Row, TableSource } from '../io/table.js';
import type { BatchConsumer, BatchEnd, BatchRecords, RowBatch } from './batch.js';
import { BATCH_ROWS, FeatureColumns } from './feature-columns.js';
import type { FeaturePlan } from './feature-plan.js';

/** Reads `source` to its end into `consumer`; returns the data rows read (also added to `counter.rows`, a progress display's). */
export async function readRowBatches(source: TableSource, consumer: BatchConsumer, counter?: { rows: number }): Promise<number> {
  let batcher: RowBatcher | undefined;
  let rows = 0;
  try {
    for await (const chunk of source.chunks()) {
      batcher ??= new RowBatcher(consumer.start(source), consumer);
      for (const row of chunk) batcher.add(row);
      rows += chunk.length;
      if (counter) counter.rows += chunk.length;
      if (consumer.batchRows === undefined) batcher.flush('more');
      await consumer.afterChunk?.();
    }
  } catch (err) {
    if (consumer.rowsBeforeError) batcher?.flush('error');
    throw err;
  }
  batcher?.flush('last');
  return rows;
}

/** The buffers a batch is filled in. */
interface Slot {
  rows: Row[];
  batch: RowBatch;
  columns: FeatureColumns;
}

class RowBatcher {
  private rows: Row[];
  private batch: RowBatch;
  private readonly capacity: number;
  private columns: FeatureColumns;
  private generation = -1;
  /** One slot, or two filled in turn when the consumer holds a batch (BatchConsumer.holds). */
  private readonly slots: Slot[];
  private current = 0;

  constructor(
    private readonly plan: FeaturePlan,
    private readonly consumer: BatchConsumer,
  ) {
    this.capacity = consumer.batchRows ?? BATCH_ROWS;
    this.slots = consumer.holds ? [this.slot(), this.slot()] : [this.slot()];
    ({ rows: this.rows, batch: this.batch, columns: this.columns } = this.slots[0]!);
    this.refreshFeatures();
  }

  private slot(): Slot {
    const rows: Row[] = [];
    const columns = new FeatureColumns(this.capacity, this.consumer.batchRows !== undefined);
    return { rows, columns, batch: { rows: 0, values: columns.values, records: new RowRecords(rows, this.plan) } };
  }

  add(row: Row): void {
    // A consumer that holds batches gets a full one when the next row comes: the last is then 'last'.
    if (this.consumer.holds && this.batch.rows >= this.columns.limit) this.flush('more');
    const { plan, batch } = this;
    plan.observe(row);
    if (plan.generation !== this.generation) this.refreshFeatures();
    const i = batch.rows;
    this.columns.fit(i);
    const { cells, keys } = row;
    const values = batch.values;
    const { features } = this.columns;
    if (keys !== undefined) {
      // A JSON object: only its own keys (thousands of columns, a few a record); absent ones are missing.
      for (const j of features) values[j]![i] = Number.NaN;
      for (const j of keys) if (plan.isFeature(j)) values[j]![i] = plan.value(cells[j], j, row);
    } else {
      for (const j of features) values[j]![i] = plan.value(cells[j], j, row);
    }
    this.rows.push(row);
    batch.rows = i + 1;
    if (!this.consumer.holds && batch.rows >= this.columns.limit) this.flush('more');
  }

  flush(end: BatchEnd): void {
    if (this.batch.rows === 0) return;
    try {
      this.consumer.batch(this.batch, end);
    } finally {
      // A held batch stays as it is: the other slot is filled next.
      if (this.slots.length > 1) {
        this.current = 1 - this.current;
        ({ rows: this.rows, batch: this.batch, columns: this.columns } = this.slots[this.current]!);
      }
      this.batch.rows = 0;
      this.rows.length = 0;
      // The consumer may have settled the features (training with -b freezes them after a batch).
      this.refreshFeatures();
    }
  }

  private refreshFeatures(): void {
    this.generation = this.plan.generation;
    this.columns.refresh(this.plan);
  }
}

/** The rows of a batch, as read. */
class RowRecords implements BatchRecords {
  constructor(
    private readonly rows: Row[],
    private readonly plan: FeaturePlan,
  ) {}

  row(i: number): Row {
    return this.rows[i]!;
  }

  cell(i: number, j: number): { value: unknown; where: ErrorLocation } {
    const row = this.rows[i]!;
    return { value: row.cells[j], where: this.plan.where(j, row) };
  }
}
