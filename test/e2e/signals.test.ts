/**
 * Interrupted writes: SIGINT/SIGTERM while `-o FILE` or `--save-stats FILE` is pending leave the
 * previous files intact and no temporary file behind (nor standard input's spool); the exit
 * status is 128 + the signal number.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAtomic } from '../../src/io/atomic-file.js';
import { removeTemporariesSync } from '../../src/io/temporary-files.js';
import { BIN } from '../helpers/run-bn.js';

const PREVIOUS = ['model.json', 'out.csv'];

/**
 * Run bn in a fresh directory holding a previous out.csv and model.json, with TMPDIR inside it;
 * feed rows on standard input until bn reads them and `ready(dir, tmp)` (at least 5 rounds),
 * then send `signal`.
 */
async function interrupt(
  signal: 'SIGINT' | 'SIGTERM',
  args: string[],
  ready: (dir: string, tmp: string) => boolean,
): Promise<{ code: number | null; dir: string; tmp: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-signal-'));
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);
  for (const name of PREVIOUS) writeFileSync(path.join(dir, name), 'previous\n');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, TMPDIR: tmp } });
  child.stdin.on('error', () => {});
  child.stdout.resume();
  // 1 MB, more than the socket to bn holds: once it is all written, bn is reading (and its signal
  // handlers are in place; a signal before that would kill it before it made any file).
  await new Promise((r) => child.stdin.write(`a,b\n${'1,2\n'.repeat(1 << 18)}`, r));
  for (let i = 0; i < 5 || !ready(dir, tmp); i++) {
    child.stdin.write(`${i},${i * 2}\n`.repeat(200));
    await new Promise((r) => setTimeout(r, 20));
    if (i > 500) throw new Error('bn never got ready to be interrupted');
  }
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill(signal);
  return { code: await exited, dir, tmp };
}

const temporary = (dir: string) => readdirSync(dir).some((f) => f.endsWith('.tmp'));

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s', (signal, status) => {
  it.each([
    ['-o, while its temporary file is being written', ['normalize', '-b', '100', '-o', 'out.csv', '-'], temporary],
    ['-o and --save-stats, while the rows are being written', ['normalize', '-b', '100', '-o', 'out.csv', '--save-stats', 'model.json', '-'], temporary],
    ['--save-stats on stats, while the input is being read', ['stats', '--save-stats', 'model.json', '-'], () => true],
    // A whole-input normalize of standard input first copies it to a spool file in TMPDIR.
    ['-o and --save-stats of a whole input, while standard input is spooled', ['normalize', '-o', 'out.csv', '--save-stats', 'model.json', '-'], (_dir: string, tmp: string) => readdirSync(tmp).length > 0],
  ])('%s: the previous files, and no temporary file or spool', async (_name, args, ready) => {
    const { code, dir, tmp } = await interrupt(signal, args, ready);
    expect(code).toBe(status);
    expect(readdirSync(dir).sort()).toEqual([...PREVIOUS, 'tmp']);
    for (const name of PREVIOUS) expect(readFileSync(path.join(dir, name), 'utf8')).toBe('previous\n');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('the signal handler (what bin/bn runs on SIGINT/SIGTERM)', () => {
  // The stats file is written in one go at the end: too short a window to hit with a real signal.
  it('removes a temporary file still being written, and leaves the target as it was', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-signal-'));
    const target = path.join(dir, 'model.json');
    writeFileSync(target, 'previous\n');
    const file = await openAtomic(target);
    file.stream.write('{"format": "bn-st');
    expect(temporary(dir)).toBe(true);
    removeTemporariesSync();
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    await file.abort();
    expect(existsSync(target)).toBe(true);
  });
});
