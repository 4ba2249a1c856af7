/**
 * A reader of rows (csv-parse, JSON, NDJSON: a TableSource) as a batch reader (./batch.ts): the
 * feature cells of each row are parsed by the plan into columns, and the rows themselves are the
 * batch's records. Columns a plan has not decided yet are decided as rows come (observe), and a
 * JSON key first seen late adds a column then.
 */
import type { ErrorLocation } from '../errors.js';
import type { Cell, Row, TableSource } from '../io/table.js';
import type { BatchConsumer, BatchEnd, BatchRecords } from './batch.js';
import { BatchSlots, type Slot } from './batch-slots.js';
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
      if (consumer.batchRows === undefined || consumer.flushEachChunk) batcher.flush('more');
      await consumer.afterChunk?.();
    }
  } catch (err) {
    if (consumer.rowsBeforeError) batcher?.flush('error');
    throw err;
  }
  batcher?.flush('last');
  return rows;
}

interface RowSlot extends Slot {
  rows: Row[];
}

/** Rows → batches for a consumer: what every row reader's rows go through (and NDJSON's with -j, ./fast/ndjson-parallel.ts). */
export class RowBatcher {
  private readonly slots: BatchSlots<RowSlot>;

  constructor(
    private readonly plan: FeaturePlan,
    private readonly consumer: BatchConsumer,
  ) {
    const capacity = consumer.batchRows ?? BATCH_ROWS;
    const slot = (): RowSlot => {
      const rows: Row[] = [];
      const columns = new FeatureColumns(capacity, consumer.batchRows !== undefined);
      return { rows, columns, batch: { rows: 0, values: columns.values, records: new RowRecords(rows, plan) } };
    };
    this.slots = new BatchSlots(plan, consumer, slot, (s) => (s.rows.length = 0));
  }

  add(row: Row): void {
    const { slots, plan } = this;
    // A consumer that holds batches gets a full one when the next row comes: the last is then 'last'.
    if (this.consumer.holds && slots.current.batch.rows >= slots.current.columns.limit) this.flush('more');
    plan.observe(row);
    if (slots.stale) slots.refreshFeatures();
    const { batch, columns } = slots.current;
    const i = batch.rows;
    columns.fit(i);
    const { cells, keys } = row;
    const values = batch.values;
    const { features } = columns;
    if (keys !== undefined) {
      // A JSON object: only its own keys (thousands of columns, a few a record); absent ones are missing.
      for (const j of features) values[j]![i] = Number.NaN;
      for (const j of keys) if (plan.isFeature(j)) values[j]![i] = plan.value(cells[j], j, row);
    } else {
      for (const j of features) values[j]![i] = plan.value(cells[j], j, row);
    }
    slots.current.rows.push(row);
    batch.rows = i + 1;
    if (!this.consumer.holds && batch.rows >= columns.limit) this.flush('more');
  }

  flush(end: BatchEnd): void {
    this.slots.flush(end);
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

  readonly value = (i: number, j: number): Cell => this.rows[i]!.cells[j];

  cell(i: number, j: number): { value: unknown; where: ErrorLocation } {
    const row = this.rows[i]!;
    return { value: row.cells[j], where: this.plan.where(j, row) };
  }
}
