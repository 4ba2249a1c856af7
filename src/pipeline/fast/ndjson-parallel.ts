/**
 * `-j N` on an NDJSON file: the pass of ./parallel.ts with lines for records. Lines are
 * independent, so every cut just after an LF is a line boundary and no block is read from a
 * false start. The main thread reads the head (the first block: its records decide the columns
 * and the features) through the one-thread reader's own line reader (NdjsonLines) into a
 * RowBatcher, as ../row-batches.ts does; the rest is cut into blocks (passBlockBytes) for
 * ./block-scheduler.ts, each read by ./ndjson-task.ts in a worker (or here, rather than wait), and
 * the results taken in file order: the same values into the same statistics as with -j 1.
 *
 * A line that is no JSON, or has a key no line before it had, is handed back by its block: the
 * main thread reads on from it (and says what is wrong with it). After a new key, a column the
 * blocks after it were not told of (one thread would give it a role, perhaps a feature, from
 * that line on), it reads the whole rest itself.
 * NDJSON of arrays, and a head that leaves a column undecided, are read by the main thread alone.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { readError } from '../../errors.js';
import type { ByteCounter } from '../../io/csv-rows.js';
import { RecordTable } from '../../io/json-records.js';
import { NdjsonLines, RowList } from '../../io/ndjson-lines.js';
import { parseLine } from '../../io/ndjson-parse.js';
import { noRecords } from '../../io/ndjson-line.js';
import { Utf8Checker } from '../../io/utf8.js';
import type { BatchConsumer, ReadEnd, WorkerStep } from '../batch.js';
import { RowBatcher } from '../row-batches.js';
import { consumeResult, runBlocks, type ReadAlone } from './block-scheduler.js';
import type { NdjsonTaskSetup, TaskResult } from './block-task.js';
import { OrderedReads } from './file-ranges.js';
import { boundaryAfter, DEFAULT_BLOCK_BYTES, fileBlocks, KNOWN_FEATURES_HEAD_BYTES, passBlockBytes, type ParallelOptions } from './parallel.js';
import { WorkerPool } from './worker-pool.js';

/** An NDJSON file into `consumer`, its byte ranges read by worker threads where the consumer has a WorkerStep. */
export async function readNdjsonFileBatches(
  path: string,
  label: string,
  options: ParallelOptions,
  consumer: BatchConsumer,
  naValues: readonly string[],
  counter?: ByteCounter,
): Promise<ReadEnd> {
  const table = new RecordTable(label);
  const shape = table.shape('ndjson');
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  /** Steps of the head, and the most it reads before the workers may start (a column still undecided then: one thread reads on). */
  const headStep = Math.min(KNOWN_FEATURES_HEAD_BYTES, blockBytes);
  let batcher: RowBatcher | undefined;
  /** Rows the main thread read. */
  let rows = 0;
  /** Rows read by the main thread, until `take` hands them to the batcher (where a bad value throws). */
  const list = new RowList(table);
  const parse = (text: string, line: number) => parseLine(text, line, label);
  const take = () => {
    const chunk = list.take();
    if (chunk.length === 0) return;
    batcher ??= new RowBatcher(consumer.start(shape), consumer);
    for (const row of chunk) batcher.add(row);
    rows += chunk.length;
    if (counter) counter.rows += chunk.length;
  };
  const drain = async () => {
    batcher?.flush('more');
    await consumer.afterChunk?.();
  };

  const fd = openSync(path, 'r');
  let blockRows = 0;
  try {
    const size = fstatSync(fd).size;
    // A file larger than the head will likely want its workers: start them while the head is read.
    const pool = options.jobs > 1 && consumer.workerStep && size > blockBytes ? (options.pool ?? new WorkerPool(options.jobs - 1)) : undefined;
    pool?.warm();
    const reads = new OrderedReads(fd, size, label);
    /** Lines from `reads.offset` to `end` (a line boundary, or the file's end) into the batcher. */
    const feed = async (lines: NdjsonLines, end: number, utf8: Utf8Checker) => {
      while (reads.offset < end) {
        const chunk = reads.next(end, utf8);
        try {
          lines.push(chunk.bytes);
        } catch (err) {
          take(); // the rows before the bad line first: an earlier bad value is the error
          throw err;
        }
        take();
        if (counter) counter.bytes += chunk.read;
        if (consumer.batchRows === undefined) batcher?.flush('more');
        // After the rows before it: an earlier bad value is the error (see OrderedChunk.error).
        if (chunk.error) throw chunk.error;
        await consumer.afterChunk?.();
        // Let timers (a progress display) and signal handlers run between chunks.
        await nextTurn();
      }
    };
    /** Lines from `reads.offset` to the end of the file. */
    const feedToEnd = async (lines: NdjsonLines, utf8: Utf8Checker) => {
      await feed(lines, size, utf8);
      // A file that ends inside a character: that, not the JSON of its cut last line, is the error
      // (as for CSV, ./parallel.ts).
      utf8.end();
      try {
        lines.end();
      } finally {
        take();
      }
    };
    try {
      const head = new NdjsonLines(table, label, list, parse);
      const headUtf8 = new Utf8Checker(label);
      // The head ends as soon as its records settle the columns: its lines go the row reader's way,
      // and the code that reads them cold (the first lines of a run are read before V8 compiles
      // it) is the slowest there is; the workers' blocks wait for it.
      let step: WorkerStep | undefined;
      for (;;) {
        await feed(head, boundaryAfter(fd, Math.min(size, reads.offset + headStep), size) ?? size, headUtf8);
        if (reads.offset >= size) break;
        step = pool && table.keyed && batcher ? consumer.workerStep!() : undefined;
        if (step !== undefined || reads.offset >= blockBytes) break;
      }
      if (step === undefined) {
        await feedToEnd(head, headUtf8);
      } else {
        await drain();
        const width = table.columns.length;
        const setup: NdjsonTaskSetup = { kind: 'ndjson', path, size, label, columns: [...table.columns], naValues, step };
        const alone: ReadAlone = async (from, firstLine, steps) => {
          reads.offset = from;
          const lines = new NdjsonLines(table, label, list, parse, firstLine);
          const utf8 = new Utf8Checker(label, from);
          let end = size;
          for await (const next of steps) {
            await feed(lines, next.end, utf8);
            // A new key: the blocks after it were read without its column, this thread reads them all.
            if (table.columns.length > width) continue;
            end = next.end;
            break;
          }
          if (end === size) await feedToEnd(lines, utf8);
          else utf8.end();
          await drain();
          return { end, nextLine: lines.nextLine };
        };
        const work = { consume: (result: TaskResult) => consumeResult(consumer, result, width, step.features) };
        const outcome = await runBlocks(fileBlocks(fd, reads.offset, size, passBlockBytes(step, options.blockBytes)), head.nextLine, pool!, setup, work, alone, counter);
        blockRows = outcome.rows;
      }
    } finally {
      if (pool && pool !== options.pool) await pool.close();
    }
  } catch (err) {
    if (consumer.rowsBeforeError) batcher?.flush('error');
    throw readError(err, label);
  } finally {
    closeSync(fd);
  }
  batcher?.flush('last');
  if (rows + blockRows === 0) throw noRecords(label);
  return { rows: rows + blockRows, shape };
}
