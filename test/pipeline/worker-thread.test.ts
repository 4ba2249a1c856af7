/**
 * src/pipeline/fast/worker-thread.ts: bn's worker threads are made after V8 is told to make
 * isolates without a background optimizing compiler (the flag a thread's isolate reads when it
 * is made), once, and they run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startWorkerThread } from '../../src/pipeline/fast/worker-thread.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-worker-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startWorkerThread', () => {
  it('sets --no-concurrent-recompilation before the first thread is made, and only once; the threads run', async () => {
    const script = path.join(dir, 'echo.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.once('message', (m) => { parentPort.postMessage(m * 2); parentPort.close(); });\n");
    // Watched, not replaced: the threads below must be made as bn makes them (one made with V8's
    // background compiler could hang as it ends, the very deadlock the flag avoids).
    const spy = vi.spyOn(v8, 'setFlagsFromString');
    try {
      for (const value of [21, 5]) {
        const worker = startWorkerThread(pathToFileURL(script), { maxYoungGenerationSizeMb: 2 });
        expect(spy.mock.calls).toEqual([['--no-concurrent-recompilation']]);
        // Both listened for at once: the thread may end before the answer is read.
        const answer = new Promise((resolve) => worker.once('message', resolve));
        const ended = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage(value);
        expect(await answer).toBe(value * 2);
        expect(await ended).toBe(0);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('for real (V8 asked, in a process of its own): a worker started so optimizes on its own thread, and the main thread keeps its background compiler', async () => {
    const worker = path.join(dir, 'ask.mjs');
    writeFileSync(worker, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage(%IsConcurrentRecompilationSupported());\nparentPort.close();\n");
    const module = pathToFileURL(path.resolve('dist/pipeline/fast/worker-thread.js')).href;
    const main = `import { startWorkerThread } from ${JSON.stringify(module)};
const before = %IsConcurrentRecompilationSupported();
const worker = startWorkerThread(new URL(${JSON.stringify(pathToFileURL(worker).href)}), {});
const inWorker = await new Promise((resolve) => worker.once('message', resolve));
console.log(JSON.stringify({ before, inWorker, after: %IsConcurrentRecompilationSupported() }));`;
    const script = path.join(dir, 'main.mjs');
    writeFileSync(script, main);
    const { stdout } = await run(process.execPath, ['--allow-natives-syntax', script]);
    expect(JSON.parse(stdout)).toEqual({ before: true, inWorker: false, after: true });
  });
});
