/**
 * The worker thread of `-j`: runs the byte-range tasks the main thread posts (./block-task.ts)
 * and posts each result back, its arrays and bytes transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TaskRunner, type Task, type TaskResult, type TaskSetup } from './block-task.js';

const runner = new TaskRunner(workerData as TaskSetup);
parentPort!.on('message', (task: Task | null) => {
  if (task === null) {
    runner.close();
    parentPort!.close();
    return;
  }
  const result: TaskResult = runner.run(task);
  const transfer: ArrayBuffer[] = [];
  if (result.values) transfer.push(result.values.buffer as ArrayBuffer);
  if (result.output) transfer.push(result.output.buffer as ArrayBuffer);
  parentPort!.postMessage(result, transfer);
});
