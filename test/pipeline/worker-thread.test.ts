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
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startWorkerThread } from '../../src/pipeline/fast/worker-thread.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-worker-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startWorkerThread', () => {
  it('sets --no-concurrent-recompilation before the first thread is made, and only once; the threads run', async () => {
    const script = path.join(dir, 'echo.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.once('message', (m) => { parentPort.postMessage(m * 2); parentPort.close(); });\n");
    const calls: string[] = [];
    const spy = vi.spyOn(v8, 'setFlagsFromString').mockImplementation((flags: string) => void calls.push(flags));
    try {
      for (const value of [21, 5]) {
        const worker = startWorkerThread(pathToFileURL(script), { maxYoungGenerationSizeMb: 2 });
        expect(calls).toEqual(['--no-concurrent-recompilation']);
        const answer = new Promise((resolve) => worker.once('message', resolve));
        worker.postMessage(value);
        expect(await answer).toBe(value * 2);
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    } finally {
      spy.mockRestore();
    }
  });
});
