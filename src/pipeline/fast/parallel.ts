/**
 * `-j N` (SPEC §7): one pass over a seekable CSV/TSV file, its byte ranges handled by N threads
 * (N − 1 workers, and the main thread whenever it would otherwise wait for one), the results
 * taken in file order so that everything downstream sees the rows in order — the same values
 * into the same Moments.addColumn calls, the same bytes out — and agrees bit for bit with -j 1.
 *
 * The main thread reads the head itself (the header, the first block of rows: the features are
 * decided there, and the record delimiter is known), to a record boundary. The rest is cut into
 * blocks (passBlockBytes: 512 KiB, 2 MiB in a statistics pass), each ending just after an LF, which ./block-scheduler.ts hands
 * to the threads and takes back in order, checking each cut (an LF inside a quoted field is no
 * record boundary: the main thread then reads across it alone). Files with a lone-CR record
 * delimiter, or whose head leaves a column undecided (no value yet), are read by the main
 * thread alone, as with -j 1. So are files shorter than the head.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fstatSync, openSync, closeSync } from 'node:fs';
import type { ByteCounter, CsvOptions } from '../../io/csv-rows.js';
import { CsvScanner, MAX_RECORD_BYTES, RecordDelimiter } from '../../io/fast/csv-scanner.js';
import { translateError } from '../../io/fast/scan-error.js';
import { Utf8Checker } from '../../io/utf8.js';
import type { BatchConsumer, ReadEnd, WorkerStep } from '../batch.js';
import { blockSizes, passWorkFor, runBlocks, type BlockSource, type PassWork, type ReadAlone } from './block-scheduler.js';
import type { TaskSetup } from './block-task.js';
import { OrderedReads, readRange } from './file-ranges.js';
import { readEnd } from './csv-batches.js';
import { RecordRouter, type PassResult } from './csv-pass.js';
import { WorkerPool } from './worker-pool.js';

export interface ParallelOptions {
  /** Worker threads; 1 reads the file in the main thread alone. */
  jobs: number;
  /**
   * Bytes of the head the main thread reads, and of every block (BN_JOBS_BLOCK, a test's); default:
   * a head of DEFAULT_BLOCK_BYTES and blocks of passBlockBytes.
   */
  blockBytes?: number;
  /**
   * Bytes of the head, when the features are known before the pass (pass 2 of normalize,
   * inference mode): the head then only finds the header and the line breaks, and a small one
   * lets the workers start sooner. Default: a block (the head decides the features).
   */
  headBytes?: number;
  /** Workers to use (kept by the caller across passes); without, the pass starts its own. */
  pool?: WorkerPool;
}

/**
 * About 5,000 rows of a typical numeric CSV: a MB or so of values or output per block out.
 * Measured, -j 2 normalize of 1e6 × 10 floats: 512 KiB blocks → 116 MB peak RSS, 1 MiB → 125 MB,
 * at the same speed (a block's round trip to a worker costs tens of microseconds).
 */
export const DEFAULT_BLOCK_BYTES = 512 << 10;

/**
 * The blocks of a pass whose results are exact moments (`bn stats`, a normalize's statistics
 * pass): a result is a few hundred bytes whatever the block's size, but each costs its thread a
 * fixed part (the moments finished and encoded, then decoded and merged), about 0.2 ms, which at
 * 512 KiB was a sixth of a block's time. Measured, -j 2 `bn stats` of a 368 MB CSV with quoted
 * text (paired, 9 runs): 2 MiB blocks 0.90× the time of 512 KiB ones, peak RSS 82 → 90 MB;
 * 8 MiB ones were slower again, at 125 MB, over bn's budget of 120. Standard input keeps 512 KiB
 * blocks: their bytes are held in the main thread until a thread has read them.
 */
export const MOMENTS_BLOCK_BYTES = 2 << 20;

/** The blocks a pass with `step` cuts the rest of its input to: `chosen` (BN_JOBS_BLOCK, a test's) when given. */
export function passBlockBytes(step: WorkerStep, chosen: number | undefined): number {
  return chosen ?? (step.moments ? MOMENTS_BLOCK_BYTES : DEFAULT_BLOCK_BYTES);
}

/** The head of a pass whose features are known (see ParallelOptions.headBytes). */
export const KNOWN_FEATURES_HEAD_BYTES = 64 << 10;

/**
 * A file into a batch consumer (../batch.ts), its byte ranges read by worker threads where the
 * consumer has a WorkerStep: the main thread batches its own records (the head, a sequential
 * rest) as a stream reader does, and a worker's result is a batch of values or written bytes.
 */
export async function readFileBatches(
  path: string,
  csv: CsvOptions,
  options: ParallelOptions,
  consumer: BatchConsumer,
  naValues: readonly string[],
  counter?: ByteCounter,
): Promise<ReadEnd> {
  const { work, batcher } = passWorkFor(consumer, naValues);
  const headBytes = consumer.settled ? Math.min(KNOWN_FEATURES_HEAD_BYTES, options.blockBytes ?? KNOWN_FEATURES_HEAD_BYTES) : undefined;
  let pass: PassResult;
  try {
    // A consumer that workers cannot help (a writer of another format, batches of -b) reads alone: no threads started.
    const jobs = consumer.workerStep ? options.jobs : 1;
    pass = await parallelPass(path, csv, { headBytes, ...options, jobs }, work, counter);
  } catch (err) {
    if (consumer.rowsBeforeError) batcher()?.flush('error');
    throw err;
  }
  batcher()?.flush('last');
  return readEnd(pass, csv.label);
}

async function parallelPass(path: string, csv: CsvOptions, options: ParallelOptions, work: PassWork, counter?: ByteCounter): Promise<PassResult> {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const router = new RecordRouter(csv, (layout) => work.start(layout));
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // A file larger than the head will likely want its workers: start them while the head is read.
    const pool = options.jobs > 1 && size > blockBytes ? (options.pool ?? new WorkerPool(options.jobs - 1)) : undefined;
    pool?.warm();
    try {
      return await passOver(fd, size, pool);
    } finally {
      if (pool && pool !== options.pool) await pool.close();
    }
  } finally {
    closeSync(fd);
  }

  async function passOver(fd: number, size: number, pool: WorkerPool | undefined): Promise<PassResult> {
    const head = new CsvScanner({ delimiter: csv.delimiter, lazyQuotes: csv.lazyQuotes }, router.onRecord);
    const reads = new OrderedReads(fd, size, csv.label);
    const feed = async (scanner: CsvScanner, end: number, utf8: Utf8Checker) => {
      while (reads.offset < end) {
        const chunk = reads.next(end, utf8);
        await router.scan(scanner, chunk.bytes, counter, work.afterChunk);
        // The bytes before one that is not UTF-8 were scanned first: an earlier bad record is the
        // error, as in a worker's block (./block-task.ts) wherever its cuts fall.
        if (chunk.error) throw chunk.error;
        // Reads here are synchronous and writes may complete in a microtask: let the event loop
        // turn once per chunk, or timers (a progress display) and signal handlers would wait
        // until the whole pass is over.
        await nextTurn();
      }
    };
    const headUtf8 = new Utf8Checker(csv.label);
    try {
      await feed(head, Math.min(size, options.headBytes ?? blockBytes), headUtf8);
      const rd = head.discoveredRecordDelimiter;
      const lineBreaks = rd === RecordDelimiter.Lf;
      if (lineBreaks && reads.offset < size) await feed(head, boundaryAfter(fd, reads.offset, size) ?? size, headUtf8);
      // An LF inside a quoted field: the head goes on to the end of that record.
      while (lineBreaks && head.pendingBytes > 0 && reads.offset < size) await feed(head, boundaryAfter(fd, Math.min(size, reads.offset + HEAD_STEP), size) ?? size, headUtf8);
      const setup = pool && lineBreaks && reads.offset < size && router.layout && router.handle ? work.parallelSetup() : undefined;
      if (setup === undefined) {
        await feed(head, size, headUtf8);
        headUtf8.end();
        head.end();
        return { layout: router.layout, recordDelimiter: head.discoveredRecordDelimiter, nextLine: head.nextLine, rows: router.rows };
      }
      await work.drain();
      const taskSetup: TaskSetup = { ...setup, kind: 'csv', path, size, delimiter: csv.delimiter, lazyQuotes: csv.lazyQuotes, layout: router.layout!, recordDelimiter: rd };
      // The main thread's own reading from a record boundary (the start of a record that a
      // block's end cut), to a record boundary or the end of the file.
      const alone: ReadAlone = async (from, firstLine, steps) => {
        reads.offset = from;
        const scanner = new CsvScanner({ delimiter: csv.delimiter, recordDelimiter: rd, bom: false, firstLine, lazyQuotes: csv.lazyQuotes }, router.onRecord);
        const utf8 = new Utf8Checker(csv.label, from);
        let end = size; // no more steps: the rest of the file
        for await (const step of steps) {
          await feed(scanner, step.end, utf8);
          if (step.end < size && scanner.pendingBytes > 0) continue;
          end = step.end;
          break;
        }
        if (end === size) await feed(scanner, size, utf8);
        utf8.end();
        scanner.end();
        await work.drain();
        return { end, nextLine: scanner.nextLine };
      };
      const outcome = await runBlocks(fileBlocks(fd, reads.offset, size, passBlockBytes(setup.step, options.blockBytes)), head.nextLine, pool!, taskSetup, work, alone, counter);
      return { layout: router.layout, recordDelimiter: rd, nextLine: outcome.nextLine, rows: router.rows + outcome.rows };
    } catch (err) {
      throw translateError(err, csv.label);
    }
  }
}

/**
 * The first record boundary at or after `from`: just after an LF (the end of an LF or a CRLF), or
 * the end; undefined when none comes within a record's longest (MAX_RECORD_BYTES): a block that
 * long is the main thread's to read, whose scanner then says the record is too long.
 */
export function boundaryAfter(fd: number, from: number, size: number): number | undefined {
  let at = Math.max(0, from - 2);
  while (at < size) {
    if (at - from > MAX_RECORD_BYTES) return undefined;
    // A few lines first, into one buffer: a line is seldom long, and 64 KiB a block cut (a new
    // buffer each) was garbage and reading for nothing, on the thread that hands out blocks.
    // Beyond them, 64 KiB at a time.
    const near = at - from < BOUNDARY_STEP;
    const bytes = readRange(fd, at, Math.min(size, at + (near ? BOUNDARY_STEP : LONG_STEP)), near ? boundaryBuffer : undefined);
    // The file ends early: it was cut while bn read it. The read of that range reports it;
    // stepping on one byte at a time to the old size would spin for minutes.
    if (bytes.length === 0) return size;
    for (let i = Math.max(1, from - at); i <= bytes.length; i++) {
      if (bytes[i - 1] === 0x0a) return at + i;
    }
    at += bytes.length;
  }
  return size;
}

const BOUNDARY_STEP = 4096;
const LONG_STEP = 65536;
const boundaryBuffer = Buffer.allocUnsafe(BOUNDARY_STEP);

/** The blocks of a file from `start` on: about `blockBytes` each (the first ones smaller: blockSizes), cut just after an LF. */
export function fileBlocks(fd: number, start: number, size: number, blockBytes: number): BlockSource {
  let cut = start;
  const sizes = blockSizes(blockBytes);
  return {
    keepsBytes: false,
    async next() {
      if (cut >= size) return undefined;
      const bytes = sizes();
      const end = boundaryAfter(fd, Math.min(size, cut + bytes), size);
      const block = { start: cut, end: end ?? size, final: (end ?? size) >= size };
      cut = block.end;
      // No record boundary in sight: the main thread reads on from here itself.
      return end === undefined ? { ...block, local: true as const } : block;
    },
  };
}

/** Steps of the head past its first block when a record goes on (an LF inside quotes). */
const HEAD_STEP = 64 << 10;
