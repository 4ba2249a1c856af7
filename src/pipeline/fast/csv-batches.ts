/**
 * The byte scanner as a batch reader (../batch.ts): CSV/TSV bytes → records → batches for a
 * consumer, read by the main thread alone (a stream; ./parallel.ts reads a file's byte ranges
 * in worker threads as well, through the same batcher).
 */
import { emptyInput, type ByteCounter, type CsvOptions } from '../../io/csv-rows.js';
import type { CsvRecord } from '../../io/fast/csv-scanner.js';
import type { NumericBlock } from '../../io/fast/numeric-block.js';
import type { BatchConsumer, ReadEnd } from '../batch.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { BATCH_ROWS } from '../feature-columns.js';
import { CsvBatcher } from './csv-batcher.js';
import type { CsvLayout } from './csv-layout.js';
import { csvPass, type PassResult, type RecordHandler } from './csv-pass.js';

/**
 * The batcher of a consumer, and the handler that feeds it records. Records that are kept are
 * borrowed from the scanner's buffer, unless the consumer wants batches of a fixed size (which
 * outlive a chunk of input: copied).
 */
export function batcherFor(layout: CsvLayout, consumer: BatchConsumer, naValues: readonly string[]): { batcher: CsvBatcher; handle: RecordHandler } {
  const plan = consumer.start(layout);
  const fixedSize = consumer.batchRows !== undefined;
  const batcher = new CsvBatcher({
    width: layout.width,
    label: layout.label,
    plan,
    values: new CellValues(plan, numericMarkers(naValues)),
    capacity: consumer.batchRows ?? BATCH_ROWS,
    fixedSize,
    records: consumer.records === 'none' ? 'none' : fixedSize ? 'copy' : 'borrow',
    holds: consumer.holds === true,
    onBatch: (batch, end) => consumer.batch(batch, end),
  });
  const handle: RecordHandler = Object.assign((record: CsvRecord) => batcher.record(record), {
    fixedFeatures: () => batcher.fixedFeatures(),
    ...(batcher.takesLines ? { lines: (block: NumericBlock) => batcher.lines(block), linesWithFields: batcher.keepsRecords } : {}),
  });
  return { batcher, handle };
}

/** A CSV/TSV stream (standard input, a pipe, a file read by one thread) into `consumer`. */
export async function readCsvBatches(
  input: AsyncIterable<Buffer>,
  csv: CsvOptions,
  consumer: BatchConsumer,
  naValues: readonly string[],
  counter?: ByteCounter,
): Promise<ReadEnd> {
  let batcher: CsvBatcher | undefined;
  let pass: PassResult;
  try {
    pass = await csvPass(
      input,
      csv,
      (layout) => {
        const made = batcherFor(layout, consumer, naValues);
        batcher = made.batcher;
        return made.handle;
      },
      counter,
      async () => {
        batcher?.endOfChunk(consumer.flushEachChunk);
        await consumer.afterChunk?.();
      },
    );
  } catch (err) {
    // The rows before the bad one, for a consumer that writes as it goes.
    if (consumer.rowsBeforeError) batcher?.flush('error');
    throw err;
  }
  batcher?.flush('last');
  return readEnd(pass, csv.label);
}

/** A pass's end as a reader reports it: an input without a single record (not even a header) is an error. */
export function readEnd(pass: PassResult, label: string): ReadEnd {
  if (pass.layout === undefined) throw emptyInput(label);
  return { rows: pass.rows, shape: pass.layout };
}
