/**
 * A worker thread of bn's (the -j block workers, the Parquet row-group workers), whose V8 isolate
 * is made without a background optimizing compiler: the thread optimizes its hot JavaScript itself
 * (its WebAssembly's faster tier is still compiled in the background).
 *
 * Why: Node can deadlock when a thread ends while V8 optimizes that thread's code on a
 * background thread and the optimization needs a garbage collection (nodejs/node#54918, open):
 * the ending thread waits for every background task (NodePlatform::DrainTasks), and the task
 * waits for a collection that the thread no longer runs. A -j pass ends its workers right after
 * their hottest code, so this is where it struck: under load, 15 of 600 runs of `bn stats -j 2`
 * on a small file in small blocks hung for ever with Node 20 (both threads in DrainTasks, the
 * task in CollectionBarrier::AwaitCollectionBackground), 0 of 600 with this. Ending a worker by
 * force instead (process.exit in it, or terminate()) tears its isolate down under the task, and
 * Node 20 aborted on an assertion (NodePlatform::ForIsolate) in 11 of 600.
 *
 * The flag is V8's, for the whole process, but an isolate reads it when it is made: the main
 * thread's, made before, keeps its background compiler (turned off there from the start, `bn
 * stats` took 1.16× the time), and the workers lose nothing measurable (`normalize -j 2` 0.99×,
 * `stats` of 294 MB 0.97×, paired). Isolates made later in the process (a library user's own
 * workers) are made without it too.
 */
import v8 from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';

let flagSet = false;

/** A new worker thread running `script`, with `resourceLimits`, its isolate made as said above. */
export function startWorkerThread(script: URL, resourceLimits: ResourceLimits): Worker {
  if (!flagSet) {
    v8.setFlagsFromString('--no-concurrent-recompilation');
    flagSet = true;
  }
  return new Worker(script, { resourceLimits });
}
