/**
 * Interrupted writes: SIGINT/SIGTERM while `-o FILE` is being written leave the previous FILE
 * intact and no temporary file behind; the exit status is 128 + the signal number.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-bn.js';

async function interrupt(signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-signal-'));
  writeFileSync(path.join(dir, 'out.csv'), 'previous\n');
  const child = spawn(process.execPath, [BIN, 'normalize', '-b', '100', '-o', 'out.csv', '-'], { cwd: dir });
  child.stdin.on('error', () => {});
  child.stdin.write('a,b\n');
  // Feed rows until the temporary file exists, then keep the input open and interrupt.
  for (let i = 0; !readdirSync(dir).some((f) => f.endsWith('.tmp')); i++) {
    child.stdin.write(`${i},${i * 2}\n`.repeat(200));
    await new Promise((r) => setTimeout(r, 20));
    if (i > 500) throw new Error('no temporary file appeared');
  }
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill(signal);
  return { code: await exited, dir };
}

describe('signals during -o', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s leaves the previous file and no temporary file', async (signal, status) => {
    const { code, dir } = await interrupt(signal);
    expect(code).toBe(status);
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('previous\n');
  });
});
