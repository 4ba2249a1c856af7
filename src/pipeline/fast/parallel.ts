/**
 * `-j N` (SPEC §7): one pass over a seekable CSV/TSV file, its byte ranges handled by N threads
 * (N − 1 workers, and the main thread whenever it would otherwise wait for one), the results
 * taken in file order so that everything downstream sees the rows in order — the same values
 * into the same Moments.addColumn calls, the same bytes out — and agrees bit for bit with -j 1.
 *
 * The main thread reads the head itself (the header, the first block of rows: the features are
 * decided there, and the record delimiter is known), to a record boundary. The rest is cut into
 * blocks of about `blockBytes`, each ending just after an LF. An LF inside a quoted field would
 * make that cut fall inside a record, so each cut is a guess that the block before checks
 * (./block-task.ts): read from a true boundary, a block is read exactly as one thread reads it,
 * and says whether it ends inside a record. Results are taken in file order; after a block that
 * ends inside a record, the main thread reads on from that record's start itself, through the
 * blocks after it (their results, read from a false start, are dropped) until one ends at a
 * record boundary, and the workers' results count again from the next block. Quotes of any
 * kind (escaped, in unquoted fields, --lazy-quotes) are read by the same scanner either way, so
 * the results are those of -j 1; only a file whose LFs are mostly inside quotes gains nothing.
 * Files with a lone-CR record delimiter, or whose head leaves a column undecided (no value
 * yet), are read by the main thread alone, as with -j 1. So are files shorter than the head.
 *
 * Memory: at most QUEUED blocks a worker and LOCAL_AHEAD of the main thread's are out at once
 * (each a few MB of values or output).
 */
import { fstatSync, openSync, closeSync } from 'node:fs';
import { BnError, fileCut } from '../../errors.js';
import type { ByteCounter, CsvOptions } from '../../io/csv-rows.js';
import { CsvScanner, MAX_RECORD_BYTES, RecordDelimiter } from '../../io/fast/csv-scanner.js';
import { translateError } from '../../io/fast/scan-error.js';
import { Utf8Checker } from '../../io/utf8.js';
import { Moments } from '../../engine/moments.js';
import type { BatchConsumer, ReadEnd } from '../batch.js';
import { readRange, reuseBuffer, TaskRunner, type Task, type TaskResult, type TaskSetup } from './block-task.js';
import { batcherFor, readEnd } from './csv-batches.js';
import type { CsvBatcher } from './csv-batcher.js';
import type { CsvLayout } from './csv-layout.js';
import { RecordRouter, type PassResult, type RecordHandler } from './csv-pass.js';
import { post, WorkerPool } from './worker-pool.js';

export interface ParallelOptions {
  /** Worker threads; 1 reads the file in the main thread alone. */
  jobs: number;
  /** Bytes per block (and of the head the main thread reads). */
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
  let batcher: CsvBatcher | undefined;
  let width = 0;
  let features: readonly number[] = [];
  const work: PassWork = {
    start(layout) {
      width = layout.width;
      const made = batcherFor(layout, consumer, naValues);
      batcher = made.batcher;
      return made.handle;
    },
    parallelSetup() {
      const step = consumer.workerStep?.();
      if (step) features = step.features;
      return step && { naValues, step };
    },
    async drain() {
      batcher?.flush('more');
      await consumer.afterChunk?.();
    },
    async consume(result) {
      if (result.output) return consumer.writeBytes!(result.output);
      if (result.moments) return consumer.moments!(Moments.fromText(result.moments, width, features), result.rows);
      const columns = new Array<Float64Array | undefined>(width);
      const stride = result.stride!;
      features.forEach((j, f) => (columns[j] = result.values!.subarray(f * stride, f * stride + result.rows)));
      consumer.batch({ rows: result.rows, values: columns }, 'more');
    },
    async afterChunk() {
      batcher?.endOfChunk();
      await consumer.afterChunk?.();
    },
  };
  const headBytes = consumer.settled ? Math.min(KNOWN_FEATURES_HEAD_BYTES, options.blockBytes ?? KNOWN_FEATURES_HEAD_BYTES) : undefined;
  let pass: PassResult;
  try {
    // A consumer that workers cannot help (a writer of another format, batches of -b) reads alone: no threads started.
    const jobs = consumer.workerStep ? options.jobs : 1;
    pass = await parallelPass(path, csv, { headBytes, ...options, jobs }, work, counter);
  } catch (err) {
    if (consumer.rowsBeforeError) batcher?.flush('error');
    throw err;
  }
  batcher?.flush('last');
  return readEnd(pass, csv.label);
}

/** What a pass does with its records: in the main thread, and in workers. */
interface PassWork {
  /** The handler of data records in the main thread (the head, and a sequential rest). */
  start(layout: CsvLayout): RecordHandler;
  /** The workers' setup, once the head is read; undefined when they cannot take the rest. */
  parallelSetup(): Pick<TaskSetup, 'naValues' | 'step'> | undefined;
  /** Hand on what the main thread has of the head: workers' results come after it. */
  drain(): Promise<void>;
  /** A worker's result, in file order. */
  consume(result: TaskResult): Promise<void>;
  /** After each chunk the main thread scans (back-pressure). */
  afterChunk?(): Promise<void>;
}

/** Read and scanned at a time, with a turn of the event loop after each (see feed). */
const READ_BYTES = 256 << 10;

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
    let offset = 0;
    let position = 0; // the file descriptor's own position
    // One read buffer, used over and over (see ../../io/fast/file-chunks.ts for why).
    const readBuffer = Buffer.allocUnsafe(READ_BYTES);
    const feed = async (scanner: CsvScanner, end: number, utf8: Utf8Checker) => {
      let numericLines = false;
      while (offset < end) {
        // From the start on, the file is read in order: its own position follows (positioned
        // reads elsewhere — boundaries, workers, the rest after them — leave it where it is).
        const bytes = readRange(fd, offset, Math.min(end, offset + READ_BYTES), readBuffer, offset === position);
        if (offset === position) position += bytes.length;
        // A file that ends before its size at opening was cut while bn read it.
        if (bytes.length === 0) throw fileCut(csv.label, offset, size);
        utf8.check(bytes); // bn reads UTF-8, as ../../io/input.ts checks it for the row readers
        offset += bytes.length;
        scanner.push(bytes);
        numericLines ||= router.numericLines(scanner);
        router.count(counter, bytes.length);
        if (work.afterChunk) await work.afterChunk();
        // Reads here are synchronous and writes may complete in a microtask: let the event loop
        // turn once per chunk, or timers (a progress display) and signal handlers would wait
        // until the whole pass is over.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    const headUtf8 = new Utf8Checker(csv.label);
    try {
      await feed(head, Math.min(size, options.headBytes ?? blockBytes), headUtf8);
      const rd = head.discoveredRecordDelimiter;
      const lineBreaks = rd === RecordDelimiter.Lf;
      if (lineBreaks && offset < size) await feed(head, boundaryAfter(fd, offset, size) ?? size, headUtf8);
      // An LF inside a quoted field: the head goes on to the end of that record.
      while (lineBreaks && head.pendingBytes > 0 && offset < size) await feed(head, boundaryAfter(fd, Math.min(size, offset + HEAD_STEP), size) ?? size, headUtf8);
      const setup = pool && lineBreaks && offset < size && router.layout && router.handle ? work.parallelSetup() : undefined;
      if (setup === undefined) {
        await feed(head, size, headUtf8);
        headUtf8.end();
        head.end();
        return { layout: router.layout, recordDelimiter: head.discoveredRecordDelimiter, nextLine: head.nextLine, rows: router.rows };
      }
      await work.drain();
      const taskSetup: TaskSetup = { ...setup, path, size, delimiter: csv.delimiter, lazyQuotes: csv.lazyQuotes, layout: router.layout!, recordDelimiter: rd };
      // The main thread's own reading from a record boundary (the start of a record that a
      // block's end cut), to a record boundary or the end of the file.
      const alone: ReadAlone = async (from, firstLine, ends) => {
        offset = from;
        const scanner = new CsvScanner({ delimiter: csv.delimiter, recordDelimiter: rd, bom: false, firstLine, lazyQuotes: csv.lazyQuotes }, router.onRecord);
        const utf8 = new Utf8Checker(csv.label, offset);
        for (const end of ends) {
          await feed(scanner, end, utf8);
          if (end < size && scanner.pendingBytes > 0) continue;
          utf8.end();
          scanner.end();
          await work.drain();
          return { end, nextLine: scanner.nextLine };
        }
        throw new Error('ReadAlone: no end given');
      };
      const outcome = await runWorkers(fd, size, offset, head.nextLine, blockBytes, pool!, taskSetup, work, alone, counter);
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
function boundaryAfter(fd: number, from: number, size: number): number | undefined {
  let at = Math.max(0, from - 2);
  while (at < size) {
    if (at - from > MAX_RECORD_BYTES) return undefined;
    const bytes = readRange(fd, at, Math.min(size, at + 65536));
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

interface WorkersOutcome {
  nextLine: number;
  /** Data records of the blocks the workers (and the main thread's runner) read. */
  rows: number;
}

/**
 * The main thread reads from `from` (a record boundary, on line `firstLine`) itself, through the
 * ends of the blocks in `ends` until one is a record boundary (or the file's end); returns that
 * end and the line after it.
 */
type ReadAlone = (from: number, firstLine: number, ends: Iterable<number>) => Promise<{ end: number; nextLine: number }>;

async function runWorkers(
  fd: number,
  size: number,
  start: number,
  firstLine: number,
  blockBytes: number,
  pool: WorkerPool,
  setup: TaskSetup,
  work: PassWork,
  alone: ReadAlone,
  counter: ByteCounter | undefined,
): Promise<WorkersOutcome> {
  const { workers, pass } = pool.begin(setup);
  const results = new Map<number, TaskResult>();
  const tasks: Task[] = [];
  /** Who runs each task: a worker's number, LOCAL, or NOBODY. */
  const owners: number[] = [];
  const queued = new Array<number>(workers.length).fill(0);
  // The main thread's own runner, with the buffers of its consumed results to fill again.
  const spare: ArrayBuffer[] = [];
  const local = new TaskRunner(setup, (bytes) => reuseBuffer(spare, bytes));
  let localAhead = 0;
  let waiting: (() => void) | undefined;
  let failure: unknown;
  const onMessage = (result: TaskResult & { pass: number }) => {
    if (result.pass !== pass) return; // a result of a pass that stopped early
    results.set(result.index, result);
    queued[owners[result.index]!]! -= 1;
    waiting?.();
  };
  const onError = (err: Error) => {
    failure ??= err;
    waiting?.();
  };
  for (const worker of workers) worker.on('message', onMessage).on('error', onError);
  let cut = start;
  const nextTask = (owner: number): Task | undefined => {
    if (cut >= size) return undefined;
    const end = boundaryAfter(fd, Math.min(size, cut + blockBytes), size);
    const task = { index: tasks.length, start: cut, end: end ?? size };
    tasks.push(task);
    owners.push(owner);
    cut = task.end;
    if (end !== undefined) return task;
    // No record boundary in sight: the main thread reads on from here itself.
    owners[task.index] = NOBODY;
    results.set(task.index, { index: task.index, local: true, lines: 0, rows: 0 });
    return undefined;
  };
  // Each worker gets up to QUEUED tasks ahead, so that it never waits for the main thread.
  const feedWorkers = () => {
    for (let w = 0; w < workers.length; w++) {
      while (queued[w]! < QUEUED) {
        const task = nextTask(w);
        if (!task) return;
        queued[w]! += 1;
        post(workers[w]!, { ...task, pass });
      }
    }
  };
  /** The result of task `index`, once there (the main thread runs a task itself rather than wait). */
  const resultOf = async (index: number): Promise<TaskResult> => {
    while (!results.has(index) && failure === undefined) {
      // Rather than wait for a worker, the main thread runs the next task itself (a little
      // ahead of the results it consumes, at most LOCAL_AHEAD of them held).
      const task = localAhead < LOCAL_AHEAD ? nextTask(LOCAL) : undefined;
      if (task) {
        results.set(task.index, local.run(task));
        localAhead++;
        feedWorkers();
      } else {
        await new Promise<void>((resolve) => (waiting = resolve));
      }
    }
    if (failure !== undefined) throw failure;
    const result = results.get(index)!;
    results.delete(index);
    return result;
  };
  /** A consumed (or dropped) result's buffer goes back to where it was made, to be filled again. */
  const recycle = (index: number, result: TaskResult) => {
    const buffer = (result.values ?? result.output)?.buffer as ArrayBuffer | undefined;
    const owner = owners[index]!;
    if (owner === LOCAL) localAhead--;
    if (buffer && owner === LOCAL) spare.push(buffer);
    else if (buffer && owner >= 0) post(workers[owner]!, { recycle: buffer }, [buffer]);
  };
  /** The ends of the blocks from `index` on, made as they are asked for (not given to anyone). */
  function* endsFrom(index: number): Generator<number> {
    for (let j = index; ; j++) {
      if (j >= tasks.length && cut < size) nextTask(NOBODY);
      if (j >= tasks.length) return;
      yield tasks[j]!.end;
    }
  }
  try {
    let line = firstLine;
    let rows = 0;
    /** Blocks before this one were read by the main thread alone: their results are dropped. */
    let trusted = 0;
    for (let next = 0; ; next++) {
      feedWorkers();
      if (next >= tasks.length && cut >= size) break;
      if (next < trusted && owners[next] === NOBODY) {
        results.delete(next); // a block the main thread read itself
        continue;
      }
      let result: TaskResult;
      try {
        result = await resultOf(next);
      } catch (err) {
        // Case: a worker ran out of its (small) heap. The main thread goes on alone from where it is.
        if ((err as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw err;
        await pool.close(); // a next pass starts fresh workers
        const at = next >= trusted ? tasks[next]!.start : trusted < tasks.length ? tasks[trusted]!.start : cut;
        const done = await alone(at, line, [size]);
        return { nextLine: done.nextLine, rows };
      }
      if (next < trusted) {
        recycle(next, result); // read from a false start: dropped
        continue;
      }
      let from: number | undefined;
      if (result.local) {
        recycle(next, result);
        from = tasks[next]!.start;
      } else {
        if (result.error) {
          // The rows of the range before the bad one, for a consumer that writes as it goes.
          if (result.output) await work.consume(result);
          throw shifted(result.error, line);
        }
        await work.consume(result);
        recycle(next, result);
        if (counter) {
          counter.bytes += (result.openFrom ?? tasks[next]!.end) - tasks[next]!.start;
          counter.rows += result.rows;
        }
        line += result.lines;
        rows += result.rows;
        from = result.openFrom;
      }
      if (from === undefined) continue;
      // The block ends inside a record (or has no boundary in sight): the main thread reads on
      // from that record's start until a block ends at a record boundary.
      const done = await alone(from, line, endsFrom(result.local ? next : next + 1));
      line = done.nextLine;
      trusted = tasks.findIndex((task) => task.start === done.end);
      if (trusted < 0) trusted = tasks.length; // the end of the file
    }
    return { nextLine: line, rows };
  } finally {
    local.close();
    for (const worker of workers) worker.off('message', onMessage).off('error', onError);
  }
}

/** The owner of a task the main thread runs. */
const LOCAL = -1;
/** The owner of a task nobody runs: the main thread reads its bytes alone. */
const NOBODY = -2;
/** Steps of the head past its first block when a record goes on (an LF inside quotes). */
const HEAD_STEP = 64 << 10;
/** Tasks a worker has been given and not answered: one to run, one to start on at once. */
const QUEUED = 2;
/** Results of its own tasks the main thread may hold before it consumes them. */
const LOCAL_AHEAD = 2;

/** A worker's error, its line counted from the start of the file. */
function shifted(error: NonNullable<TaskResult['error']>, firstLine: number): BnError {
  const location = { ...error.location };
  if (location.line !== undefined) location.line += firstLine - 1;
  return new BnError(error.code, error.message, location);
}

