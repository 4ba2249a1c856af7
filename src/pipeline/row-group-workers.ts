/**
 * Worker threads for a Parquet statistics pass (-j): a file's row groups are independent, so
 * while the main thread reads some, each worker reads others and sends back their exact Moments
 * (a pass that is one batch needs no row order: exact sums do not depend on it). The main thread
 * reads the first group alone (the features are decided from it), then workers start; each is
 * handed the next group as it finishes one. Threads are started with the pass, so that they boot
 * while the main thread reads its first group.
 */
import type { Worker } from 'node:worker_threads';
import { Moments, type MomentsText } from '../engine/moments.js';
import { BnError, type ErrorCode, type ErrorLocation } from '../errors.js';
import { isNumericType } from '../io/column-types.js';
import type { ColumnarSource } from '../io/columnar.js';
import type { BatchConsumer, WorkerStep } from './batch.js';
import type { BlockHelpers } from './column-batches.js';
import { startWorkerThread, stopWorker, workerScript } from './fast/worker-thread.js';

export type RowGroupRequest = { path: string; label: string; width: number; features: readonly number[] } | { group: number };
export type RowGroupResult =
  | { group: number; rows: number; moments: MomentsText }
  | { group: number; error: { code?: ErrorCode; message: string; location?: ErrorLocation } };

/** Helpers for `source`, or undefined when workers cannot help (one thread, one group, a stream). */
export function rowGroupWorkers(source: ColumnarSource, jobs: number, consumer: BatchConsumer, counter?: { rows: number }): (BlockHelpers & { close(): Promise<void> }) | undefined {
  const parts = source.partitioned;
  // Workers send back Moments: only a pass that keeps no records (statistics) can take them.
  if (!parts || jobs < 2 || parts.count < 2 || !consumer.workerStep || consumer.records !== 'none') return undefined;
  return new RowGroupWorkers(source, parts, Math.min(jobs - 1, parts.count - 1), counter);
}

class RowGroupWorkers implements BlockHelpers {
  private next = 0;
  private readonly workers: Worker[];
  private step: WorkerStep | undefined;
  private asked = false;
  /** Groups handed to workers and not back yet. */
  private pending = 0;
  private rows = 0;
  private failure: Error | undefined;
  private settle: (() => void) | undefined;

  constructor(
    private readonly source: ColumnarSource,
    private readonly parts: { path: string; count: number },
    threads: number,
    private readonly counter?: { rows: number },
  ) {
    this.workers = Array.from({ length: threads }, () => this.spawn());
  }

  take(): number | undefined {
    return this.next < this.parts.count ? this.next++ : undefined;
  }

  /** After the main thread's first group: the consumer says whether workers may help (exact Moments of settled, numeric features). */
  afterBlock(consumer: BatchConsumer): void {
    if (this.asked) return;
    this.asked = true;
    const step = consumer.workerStep?.();
    if (!step?.moments || !step.features.every((j) => isNumericType(this.source.types[j]))) return;
    this.step = step;
    const setup: RowGroupRequest = { path: this.parts.path, label: this.source.label, width: this.source.columns.length, features: step.features };
    for (const worker of this.workers) {
      worker.postMessage(setup);
      this.handOut(worker);
    }
    this.consumer = consumer;
  }

  private consumer: BatchConsumer | undefined;

  private handOut(worker: Worker): void {
    if (this.failure) return;
    const group = this.take();
    if (group === undefined) return;
    this.pending++;
    worker.postMessage({ group } satisfies RowGroupRequest);
  }

  private spawn(): Worker {
    // No old-generation cap: a worker decodes a whole row group, whose size the file's writer chose
    // (DuckDB writes groups of a million rows); the main thread reads such a group too.
    const worker = startWorkerThread(workerScript('./row-group-worker.js', import.meta.url), { maxYoungGenerationSizeMb: 8 });
    worker.unref();
    worker.on('message', (result: RowGroupResult) => {
      this.pending--;
      if ('error' in result) {
        const { code, message, location } = result.error;
        this.failure ??= code ? new BnError(code, message, location) : new Error(message);
      } else if (this.step) {
        this.consumer!.moments!(Moments.fromText(result.moments, this.source.columns.length, this.step.features), result.rows);
        this.rows += result.rows;
        if (this.counter) this.counter.rows += result.rows;
        this.handOut(worker);
      }
      if (this.pending === 0) this.settle?.();
    });
    worker.on('error', (err) => {
      this.failure ??= err;
      this.settle?.();
    });
    return worker;
  }

  async finish(): Promise<number> {
    // Workers never asked to help (a pass with -b, a text feature): whatever befell them is not this pass's.
    if (!this.step) return 0;
    if (this.pending > 0 && !this.failure) await new Promise<void>((resolve) => (this.settle = resolve));
    if (this.failure) throw this.failure;
    return this.rows;
  }

  /** Ask each worker to end, and wait a while for it (./fast/worker-thread.ts: stopWorker). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => stopWorker(worker)));
  }
}
