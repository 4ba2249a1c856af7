/**
 * The worker threads of `-j`, started once per command and kept for both passes of a
 * whole-input normalize (starting a thread costs tens of milliseconds and ~10 MB that the
 * process does not get back at once). Each pass sends its setup first; results carry the pass
 * they belong to, so a pass that stopped early (a quote, an error) cannot confuse the next.
 */
import type { Worker } from 'node:worker_threads';
import type { Task, TaskResult, TaskSetup } from './block-task.js';
import { startWorkerThread, stopWorker, workerScript } from './worker-thread.js';

export type WorkerMessage = { setup: TaskSetup; pass: number } | (Task & { pass: number }) | { recycle: ArrayBuffer } | null;

export class WorkerPool {
  private workers: Worker[] = [];
  private passes = 0;

  constructor(readonly size: number) {}

  /** Start a pass: every worker gets `setup`; returns the workers and the pass number. */
  begin(setup: TaskSetup): { workers: Worker[]; pass: number } {
    this.warm();
    // A thread that ended while no pass listened (it failed at boot, or between the passes of a
    // normalize) is replaced: posted tasks would go unanswered.
    this.workers = this.workers.map((worker) => (worker.threadId < 0 ? spawnWorker() : worker));
    const pass = ++this.passes;
    for (const worker of this.workers) post(worker, { setup, pass });
    return { workers: this.workers, pass };
  }

  /**
   * Start the threads now, before they have work: loading a worker's modules takes about a
   * tenth of a second, which it can spend while the main thread reads the head of the file.
   */
  warm(): void {
    if (this.workers.length === 0) {
      // Threads started at launch first (startWorkersEarly), then new ones.
      const taken = early.splice(0, this.size);
      for (const worker of taken) worker.ref();
      this.workers = [...taken, ...Array.from({ length: this.size - taken.length }, spawnWorker)];
    }
  }

  /** Ask each worker to finish (it closes its port and its thread ends); see stopWorker. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => stopWorker(worker)));
  }
}

/** Threads started at launch by startWorkersEarly, for the first pool to take. */
const early: Worker[] = [];

/**
 * Starts `count` worker threads now, before the rest of bn is loaded (bin/bn calls it when the
 * command line looks like a pass over a large CSV file, see ../../cli/early-workers.ts): a
 * thread takes ~80 ms to boot and load its modules, which then overlaps the main thread's own
 * loading (~130 ms) instead of following it. Unreferenced until a pool takes them, so threads
 * that no pool wants do not keep the process alive.
 */
export function startWorkersEarly(count: number): void {
  for (let i = 0; i < count; i++) {
    const worker = spawnWorker();
    worker.unref();
    // A thread that fails before a pool takes it is dropped (the pool then starts its own).
    worker.once('exit', () => early.includes(worker) && early.splice(early.indexOf(worker), 1));
    early.push(worker);
  }
}

function spawnWorker(): Worker {
  // Small heaps: a worker holds one block at a time and its garbage is short-lived, while each
  // worker's heap counts in the memory of the whole process (bn's budget: 120 MB peak). Measured on
  // 1e6 × 10 floats, -j 2 normalize (peak RSS, CPU seconds), when numbers were still written
  // through strings: young/old 2/8 MB → 116 MB, 5.3 s; 2/16 MB → 121 MB, 4.7 s; V8's defaults
  // → 165 MB, 4.2 s. A worker that runs out anyway (a huge cell) is not fatal: the main thread
  // takes the rest of the file (see runWorkers).
  const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 };
  const worker = startWorkerThread(workerScript('./block-worker.js', import.meta.url), resourceLimits);
  // A pass listens for its workers' errors (and ends); between passes an error, unheard, would be
  // thrown in the main thread: the thread has ended, and the next pass replaces it (begin).
  return worker.on('error', () => {});
}

export function post(worker: Worker, message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  worker.postMessage(message, transfer);
}

export type { TaskResult };
