/** The runner of a pass's tasks, by the format of its blocks: CSV/TSV records or NDJSON lines. */
import { TaskRunner, type BlockRunner, type TaskSetup } from './block-task.js';
import { NdjsonTaskRunner } from './ndjson-task.js';

export function taskRunner(setup: TaskSetup, allocate?: (bytes: number) => ArrayBuffer): BlockRunner {
  return setup.kind === 'ndjson' ? new NdjsonTaskRunner(setup, allocate) : new TaskRunner(setup, allocate);
}
