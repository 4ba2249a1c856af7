/**
 * bn's worker threads (the -j block workers, the Parquet row-group workers): where their scripts
 * are, how one is started and how it is asked to end.
 *
 * A thread is started with a V8 isolate made without a background optimizing compiler: the thread
 * optimizes its hot JavaScript itself (its WebAssembly's faster tier is still compiled in the
 * background).
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

/** Milliseconds a pass waits for a worker to end by itself before it goes on without waiting. */
const STOP_GRACE_MS = 2000;

/**
 * Ask a worker to end (a null message: it closes its port and its thread ends) and wait for it,
 * for at most STOP_GRACE_MS: a worker still busy then (a loaded machine) is unreferenced, so that
 * it does not keep the process alive, and ends by itself when it gets to the message. Never
 * terminate(): stopping a thread while V8 compiles its code (its WebAssembly's faster tier, on
 * background threads) crashed Node 20 (an assertion in NodePlatform::ForIsolate). A thread that
 * ends by itself could hang instead, in the Node deadlock that startWorkerThread avoids (above).
 */
export async function stopWorker(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return; // ended already (a worker that ran out of memory)
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(null);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
  if ((await Promise.race([exited, late])) === 'late') worker.unref();
  clearTimeout(timer);
}

/**
 * A worker's script, `relative` to the module at `from` (its import.meta.url). Under the test
 * runner that module is TypeScript from src/, which a worker cannot load: the build's in dist/.
 */
export function workerScript(relative: string, from: string): URL {
  const url = new URL(relative, from);
  return from.endsWith('.ts') ? new URL(url.href.replace('/src/', '/dist/')) : url;
}
