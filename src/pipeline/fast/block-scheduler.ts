/**
 * The blocks of one `-j` pass, run by worker threads (and by the main thread whenever it would
 * otherwise wait) and taken in input order, whatever the blocks' source: a file's byte ranges
 * (./parallel.ts) or standard input read block by block (./stream-parallel.ts).
 *
 * A block is cut just after an LF and read as if it started at a record boundary. The guess is
 * checked in order: a block read from a true boundary is read exactly as one thread reads it and
 * says whether it ends inside a record (an LF in a quoted field: TaskResult.openFrom). Then the
 * main thread reads on from that record's start itself (`alone`), through the blocks after it
 * (their results, read from a false start, are dropped), until one ends at a record boundary;
 * the workers' results count again from the next block.
 *
 * Memory: at most QUEUED blocks a worker and LOCAL_AHEAD of the main thread's are out at once,
 * and a source is asked for a block only when a thread can take it (back-pressure).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BnError } from '../../errors.js';
import type { ByteCounter } from '../../io/csv-rows.js';
import { Moments } from '../../engine/moments.js';
import type { BatchConsumer } from '../batch.js';
import { reuseBuffer, type Task, type TaskResult, type TaskSetup } from './block-task.js';
import { batcherFor } from './csv-batches.js';
import type { CsvBatcher } from './csv-batcher.js';
import type { CsvLayout } from './csv-layout.js';
import type { RecordHandler } from './csv-pass.js';
import { taskRunner } from './task-runner.js';
import { post, type WorkerPool } from './worker-pool.js';

/** A block as a source cuts it: a Task, and with `local` one the main thread must read itself (no record boundary in sight). */
export type SourceBlock = Task & { local?: true };

/** Where blocks come from, in order. */
export interface BlockSource {
  /** The next block, or undefined after the last; may wait for input. */
  next(): Promise<Omit<SourceBlock, 'index'> | undefined>;
  /** The bytes of a block whose result came back (or that nobody ran), for the main thread reading alone; undefined: the source reads them itself. */
  readonly keepsBytes: boolean;
  /** A block's buffer, done with: to be filled again. */
  recycle?(buffer: ArrayBuffer): void;
}

/**
 * The sizes a source cuts its blocks to, in turn: FIRST_BLOCK_BYTES, doubling up to `blockBytes`.
 * A thread's first blocks of a pass run its code cold, several times slower, and results are
 * taken in order: a small first block is back soon, so the main thread does not stand still
 * waiting for a worker's first (≈ 100 ms at the start of normalize's second pass).
 */
export function blockSizes(blockBytes: number): () => number {
  let next = Math.min(FIRST_BLOCK_BYTES, blockBytes);
  return () => {
    const size = next;
    next = Math.min(2 * next, blockBytes);
    return size;
  };
}

const FIRST_BLOCK_BYTES = 64 << 10;

/** One step of the main thread reading alone: a block's end, and its bytes when the source does not read them itself. */
export interface AloneStep {
  end: number;
  /** Nothing follows this block. */
  final?: boolean;
  bytes?: Uint8Array;
}

/**
 * The main thread reads from `from` (a record boundary, on line `firstLine`) itself, through the
 * blocks of `steps` until one ends at a record boundary (or the input ends: a final step, or no
 * more steps); returns that end and the line after it. It hands on what it read (PassWork.drain)
 * before it returns.
 */
export type ReadAlone = (from: number, firstLine: number, steps: AsyncIterable<AloneStep>) => Promise<{ end: number; nextLine: number }>;

/** What a pass does with its records: in the main thread, and in workers. */
export interface PassWork {
  /** The handler of data records in the main thread (the head, and what it reads alone). */
  start(layout: CsvLayout): RecordHandler;
  /** The workers' setup, once the head is read; undefined when they cannot take the rest. */
  parallelSetup(): Pick<TaskSetup, 'naValues' | 'step'> | undefined;
  /** Hand on what the main thread has read: workers' results come after it. */
  drain(): Promise<void>;
  /** A worker's result, in input order. */
  consume(result: TaskResult): Promise<void>;
  /** After each chunk the main thread scans (back-pressure). */
  afterChunk?(): Promise<void>;
}

/**
 * The PassWork of a batch consumer (../batch.ts): the main thread batches its own records as a
 * stream reader does, and a worker's result is a batch of values, exact moments or written bytes.
 */
export function passWorkFor(consumer: BatchConsumer, naValues: readonly string[]): { work: PassWork; batcher: () => CsvBatcher | undefined } {
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
    consume: (result) => consumeResult(consumer, result, width, features),
    async afterChunk() {
      batcher?.endOfChunk(consumer.flushEachChunk);
      await consumer.afterChunk?.();
    },
  };
  return { work, batcher: () => batcher };
}

/**
 * A block's result into `consumer`: the bytes a worker wrote, its exact moments, or its values as
 * a batch (of `features`, the WorkerStep's, among `width` columns).
 */
export async function consumeResult(consumer: BatchConsumer, result: TaskResult, width: number, features: readonly number[]): Promise<void> {
  if (result.output) return consumer.writeBytes!(result.output);
  if (result.moments) return consumer.moments!(Moments.fromText(result.moments, width, features), result.rows);
  const columns = new Array<Float64Array | undefined>(width);
  const stride = result.stride!;
  features.forEach((j, f) => (columns[j] = result.values!.subarray(f * stride, f * stride + result.rows)));
  consumer.batch({ rows: result.rows, values: columns }, 'more');
}

export interface BlocksOutcome {
  nextLine: number;
  /** Data records of the blocks the workers (and the main thread's runner) read. */
  rows: number;
}

/** Runs the blocks of `source` (the first starting on line `firstLine`) and hands their results to `work` in order. */
export async function runBlocks(
  source: BlockSource,
  firstLine: number,
  pool: WorkerPool,
  setup: TaskSetup,
  work: Pick<PassWork, 'consume'>,
  alone: ReadAlone,
  counter: ByteCounter | undefined,
): Promise<BlocksOutcome> {
  const { workers, pass } = pool.begin(setup);
  const results = new Map<number, TaskResult>();
  const tasks: SourceBlock[] = [];
  /** Who runs each task: a worker's number, LOCAL, or NOBODY. */
  const owners: number[] = [];
  /** A task's bytes while the main thread has them (a source that keeps bytes: not yet run, or run here). */
  const held = new Map<number, Uint8Array>();
  const queued = new Array<number>(workers.length).fill(0);
  // The main thread's own runner, with the buffers of its consumed results to fill again.
  const spare: ArrayBuffer[] = [];
  const local = taskRunner(setup, (bytes) => reuseBuffer(spare, bytes));
  let localAhead = 0;
  let waiting: (() => void) | undefined;
  let failure: unknown;
  let ended = false;
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
  // A worker that ends during the pass without an error first (its error, if any, came first and
  // is the failure) would leave its tasks unanswered, and the pass waiting for them for ever: it
  // goes as a worker out of memory goes, the main thread reading on alone.
  const onExit = (code: number) => onError(Object.assign(new Error(`a -j worker thread ended (exit code ${code})`), { code: WORKER_ENDED }));
  for (const worker of workers) worker.on('message', onMessage).on('error', onError).on('exit', onExit);

  /** The next block from the source, for `owner`; undefined at the end, or for one the main thread must read alone. */
  const nextTask = async (owner: number): Promise<SourceBlock | undefined> => {
    if (ended) return undefined;
    const block = await source.next();
    if (block === undefined) {
      ended = true;
      return undefined;
    }
    const index = tasks.length;
    const { bytes, ...range } = block;
    tasks.push({ ...range, index }); // the bytes are held apart, and let go once used
    owners.push(owner);
    if (bytes) held.set(index, bytes);
    if (!block.local) return tasks[index];
    // No record boundary in sight: the main thread reads on from here itself.
    owners[index] = NOBODY;
    results.set(index, { index, local: true, lines: 0, rows: 0 });
    return undefined;
  };
  const give = (w: number, task: SourceBlock) => {
    queued[w]! += 1;
    const bytes = held.get(task.index);
    held.delete(task.index);
    // The block's bytes go to the worker, not copied; they come back with its result.
    if (bytes) post(workers[w]!, { ...task, bytes, pass }, [bytes.buffer as ArrayBuffer]);
    else post(workers[w]!, { ...task, pass });
  };
  // Each worker gets up to QUEUED tasks ahead, so that it never waits for the main thread.
  const feedWorkers = async () => {
    for (let w = 0; w < workers.length; w++) {
      while (queued[w]! < QUEUED) {
        const task = await nextTask(w);
        if (!task) return;
        give(w, task);
      }
    }
  };
  /** Task `index` run by the main thread (its result then held, at most LOCAL_AHEAD of them). */
  const runHere = (index: number) => {
    const bytes = held.get(index);
    results.set(index, local.run(bytes ? { ...tasks[index]!, bytes } : tasks[index]!));
    localAhead++;
  };
  const wait = () => new Promise<void>((resolve) => (waiting = resolve));
  /** The result of task `index`, once there (the main thread runs a task itself rather than wait). */
  const resultOf = async (index: number): Promise<TaskResult> => {
    while (!results.has(index) && failure === undefined) {
      // Rather than wait for a worker, the main thread runs the next task itself (a little
      // ahead of the results it consumes, at most LOCAL_AHEAD of them held).
      const task = localAhead < LOCAL_AHEAD ? await nextTask(LOCAL) : undefined;
      if (task) {
        runHere(task.index);
        // A turn of the event loop before the next: the results workers posted meanwhile are
        // taken, and the workers fed again. Without it a task's awaits resolve as microtasks, the
        // main thread runs its tasks back to back, and a worker that finished its queue waits.
        await nextTurn();
        await feedWorkers();
      } else if (!results.has(index) && failure === undefined) {
        await wait();
      }
    }
    if (failure !== undefined) throw failure;
    const result = results.get(index)!;
    results.delete(index);
    return result;
  };
  /** A consumed (or dropped) result's buffers go back to where they were made, to be filled again. */
  const recycle = (index: number, result: TaskResult) => {
    const buffer = (result.values ?? result.output)?.buffer as ArrayBuffer | undefined;
    const owner = owners[index]!;
    if (owner === LOCAL) localAhead--;
    if (buffer && owner === LOCAL) spare.push(buffer);
    else if (buffer && owner >= 0) post(workers[owner]!, { recycle: buffer }, [buffer]);
    const input = result.input ?? held.get(index);
    held.delete(index);
    if (input && source.recycle) source.recycle(input.buffer as ArrayBuffer);
  };
  /** The bytes of task `index` for the main thread reading alone (a source that keeps bytes). */
  const bytesOf = async (index: number): Promise<Uint8Array> => {
    for (;;) {
      const bytes = held.get(index) ?? results.get(index)?.input;
      if (bytes) return bytes;
      if (failure !== undefined) throw failure;
      await wait();
    }
  };
  /** The blocks from `index` on, made as they are asked for (not given to anyone). */
  async function* stepsFrom(index: number): AsyncGenerator<AloneStep> {
    for (let j = index; ; j++) {
      if (j >= tasks.length) await nextTask(NOBODY);
      if (j >= tasks.length) return;
      const bytes = source.keepsBytes ? await bytesOf(j) : undefined;
      yield { end: tasks[j]!.end, final: tasks[j]!.final, bytes };
    }
  }
  try {
    let line = firstLine;
    let rows = 0;
    /** Blocks before this one were read by the main thread alone: their results are dropped. */
    let trusted = 0;
    for (let next = 0; ; next++) {
      await feedWorkers();
      if (next >= tasks.length) {
        // Every worker has room: only the end of the input (or a block to read alone) stops them.
        const task = ended ? undefined : await nextTask(LOCAL);
        if (task) {
          runHere(task.index);
        } else if (next >= tasks.length) {
          break;
        }
      }
      if (owners[next] === NOBODY && !results.has(next)) {
        if (next < trusted) {
          recycle(next, { index: next, lines: 0, rows: 0 }); // a block the main thread read itself
          continue;
        }
        // Made while the main thread read alone, which stopped before it: run here.
        owners[next] = LOCAL;
        runHere(next);
      }
      let result: TaskResult;
      try {
        result = await resultOf(next);
      } catch (err) {
        // Case: a worker ran out of its (small) heap, or ended. The main thread goes on alone from where it is.
        const code = (err as { code?: string }).code;
        if ((code !== 'ERR_WORKER_OUT_OF_MEMORY' && code !== WORKER_ENDED) || source.keepsBytes) throw err;
        await pool.close(); // a next pass starts fresh workers
        const at = next >= trusted ? tasks[next]!.start : trusted < tasks.length ? tasks[trusted]!.start : tasks[tasks.length - 1]!.end;
        // No steps: reading alone goes to the end of the file (with steps it would stop at the first
        // one that ends at a record boundary, and the rest of the file be lost).
        const done = await alone(at, line, (async function* (): AsyncGenerator<AloneStep> {})());
        return { nextLine: done.nextLine, rows };
      }
      if (next < trusted) {
        recycle(next, result); // read from a false start: dropped
        continue;
      }
      let from: number | undefined;
      if (result.local) {
        from = tasks[next]!.start;
      } else {
        if (result.error) {
          // The rows of the range before the bad one, for a consumer that writes as it goes.
          if (result.output) await work.consume(result);
          throw shifted(result.error, line);
        }
        await work.consume(result);
        if (counter) {
          counter.bytes += (result.openFrom ?? tasks[next]!.end) - tasks[next]!.start;
          counter.rows += result.rows;
        }
        line += result.lines;
        rows += result.rows;
        from = result.openFrom;
      }
      if (from === undefined) {
        recycle(next, result);
        continue;
      }
      // The block ends inside a record (or has no boundary in sight): the main thread reads on
      // from that record's start until a block ends at a record boundary.
      const done = await alone(from, line, withFirst(next, result, stepsFrom(result.local ? next : next + 1)));
      recycle(next, result);
      line = done.nextLine;
      trusted = tasks.findIndex((task) => task.start === done.end);
      if (trusted < 0) trusted = tasks.length; // the end of the input
    }
    return { nextLine: line, rows };
  } finally {
    local.close();
    for (const worker of workers) worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  }

  /**
   * The steps of reading alone from within block `index` (whose bytes are in its result, for a
   * source that keeps bytes) and on through `rest`.
   */
  async function* withFirst(index: number, result: TaskResult, rest: AsyncGenerator<AloneStep>): AsyncGenerator<AloneStep> {
    if (!result.local) {
      const bytes = source.keepsBytes ? (result.input ?? held.get(index)) : undefined;
      yield { end: tasks[index]!.end, final: tasks[index]!.final, bytes };
    }
    yield* rest;
  }
}

/** The owner of a task the main thread runs. */
const LOCAL = -1;
/** The code of the failure of a worker that ended during a pass. */
const WORKER_ENDED = 'BN_WORKER_ENDED';

/** The owner of a task nobody runs: the main thread reads its bytes alone. */
const NOBODY = -2;
/** Tasks a worker has been given and not answered: one to run, one to start on at once. */
const QUEUED = 2;
/**
 * Results of its own tasks the main thread may hold before it consumes them: results are taken
 * in order, so with too few the main thread stands waiting for a worker's earlier block (with 2:
 * idle about half the time once the workers run; with 8, 3–6 % faster, the same peak memory).
 */
const LOCAL_AHEAD = 8;

/** A worker's error, its line counted from the start of the input. */
function shifted(error: NonNullable<TaskResult['error']>, firstLine: number): BnError {
  const location = { ...error.location };
  if (location.line !== undefined) location.line += firstLine - 1;
  return new BnError(error.code, error.message, location);
}
