/**
 * The worker thread of `-j`: takes a pass's setup, runs the byte-range tasks the main thread
 * posts (./block-task.ts) and posts each result back, its arrays and bytes transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { reuseBuffer, type BlockRunner, type TaskResult } from './block-task.js';
import { taskRunner } from './task-runner.js';
import type { WorkerMessage } from './worker-pool.js';

/** Buffers of results the main thread is done with, sent back to be filled again. */
const pool: ArrayBuffer[] = [];
const allocate = (bytes: number) => reuseBuffer(pool, bytes);

let runner: BlockRunner | undefined;
let pass = 0;
parentPort!.on('message', (message: WorkerMessage) => {
  if (message === null) {
    runner?.close();
    parentPort!.close();
    return;
  }
  if ('recycle' in message) {
    pool.push(message.recycle);
    return;
  }
  if ('setup' in message) {
    runner?.close();
    runner = taskRunner(message.setup, allocate);
    pass = message.pass;
    return;
  }
  // BN_TEST_WORKER_ENDS (hidden, for a test): the thread ends at its first task, unasked, as one
  // that fails at boot does; the pass must go on without it.
  if (process.env.BN_TEST_WORKER_ENDS === '1') process.exit(3);
  const result: TaskResult & { pass: number } = { ...runner!.run(message), pass };
  const transfer: ArrayBuffer[] = [];
  if (result.values) transfer.push(result.values.buffer as ArrayBuffer);
  if (result.output) transfer.push(result.output.buffer as ArrayBuffer);
  if (result.input) transfer.push(result.input.buffer as ArrayBuffer);
  parentPort!.postMessage(result, transfer);
});

