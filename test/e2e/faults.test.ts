/**
 * Faults of the machine, not of the data: a full disk, a file-size limit, an unwritable path.
 * Each is one line `bn: <where>: cannot write: <why>` with status 1; `-o FILE` and
 * `--save-stats FILE` leave the previous file as it was and no temporary file.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, shell, type BnResult } from '../helpers/run-bn.js';

let dir: string;
let data: string;
let big: string;
let statsFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bn-faults-'));
  // ~270 KB of rows, normalized to ~1 MB: more than a pipe, a stream buffer or `ulimit -f 64` holds.
  data = path.join(dir, 'data.csv');
  writeFileSync(data, `a,b\n${Array.from({ length: 30_000 }, (_, i) => `${i},${i % 7}`).join('\n')}\n`);
  big = path.join(dir, 'big.csv');
  writeFileSync(big, `a,b\n${Array.from({ length: 140_000 }, (_, i) => `${i},${i % 7}`).join('\n')}\n`);
  statsFile = path.join(dir, 'seed.json');
  // The seed example's statistics (x1 = 1, 3, …, 19), as --save-stats writes them.
  const seed = {
    format: 'bn-stats', version: 1, features: ['x1'], weight: [1], bias: [0], running_mean: [10], running_var: [330 / 9],
    num_batches_tracked: 1, eps: 1e-5, momentum: null, preset: 'torch', count: [10], mean: [10], var: [33],
  };
  writeFileSync(statsFile, JSON.stringify(seed));
});

/** A fresh directory holding `previous` as out.csv and model.json. */
function workdir(): string {
  const work = mkdtempSync(path.join(dir, 'work-'));
  writeFileSync(path.join(work, 'out.csv'), 'previous\n');
  writeFileSync(path.join(work, 'model.json'), 'previous\n');
  return work;
}

function expectUntouched(work: string): void {
  expect(readdirSync(work).sort()).toEqual(['model.json', 'out.csv']);
  expect(readFileSync(path.join(work, 'out.csv'), 'utf8')).toBe('previous\n');
  expect(readFileSync(path.join(work, 'model.json'), 'utf8')).toBe('previous\n');
}

/** Run bn with standard output going to the file `stdout` (opened for writing). */
function bnWithStdout(args: string[], stdout: string): Promise<BnResult> {
  const fd = openSync(stdout, 'w');
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: '', stderr }));
  });
}

describe.concurrent('a full disk on standard output (/dev/full)', () => {
  it.skipIf(!existsSync('/dev/full')).each([
    [['normalize', 'DATA']],
    [['normalize', 'DATA', '--to', 'ndjson']],
    [['stats', 'DATA']],
    [['stats', 'DATA', '--save-stats', '-']],
    [['merge', 'STATS', 'STATS']],
    // More than one record batch (65,536 rows): the writer's next batch met its closed queue ("AsyncQueue is closed").
    [['normalize', 'BIG', '--to', 'arrow']],
    [['normalize', 'BIG', '-b', '1000', '--to', 'arrow']],
  ])('%j: cannot write: no space left on device', async (args) => {
    const r = await bnWithStdout(args.map((a) => (a === 'DATA' ? data : a === 'BIG' ? big : a === 'STATS' ? statsFile : a)), '/dev/full');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdout>: cannot write: no space left on device$/);
  });
});

describe.concurrent('a file-size limit (ulimit -f; EFBIG, the same write failure as a full disk)', () => {
  // Node ignores SIGXFSZ, so a write past the limit fails with EFBIG instead of killing bn.
  it('-o FILE: a clear error, the previous file and no temporary file', async () => {
    const work = workdir();
    const r = await shell(`ulimit -f 64; $BN normalize '${data}' -o out.csv`, { cwd: work });
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: out\.csv: cannot write: file too large$/);
    expectUntouched(work);
  });

  it('--save-stats FILE: the same', async () => {
    const work = workdir();
    const r = await shell(`ulimit -f 0; $BN stats '${data}' --save-stats model.json`, { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, /^bn: model\.json: cannot write: file too large$/);
    expectUntouched(work);
  });
});

describe.concurrent('an output path that cannot be written', () => {
  it.each([
    ['-o', ['normalize', 'DATA', '-o', 'out.csv/x.csv'], /^bn: out\.csv\/x\.csv: cannot write: a part of the path is not a directory$/],
    ['--save-stats', ['stats', 'DATA', '--save-stats', 'out.csv/m.json'], /^bn: out\.csv\/m\.json: cannot write: a part of the path is not a directory$/],
    ['-o to a missing directory', ['normalize', 'DATA', '-o', 'no/such/out.csv'], /^bn: no\/such\/out\.csv: cannot write: no such directory$/],
  ])('%s: a clear error', async (_name, args, pattern) => {
    const work = workdir();
    const r = await shell(`$BN ${args.map((a) => (a === 'DATA' ? `'${data}'` : a)).join(' ')}`, { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, pattern);
    expectUntouched(work);
  });

  // Permissions do not stop root (CI containers often run as root): then there is nothing to see.
  it.skipIf(process.getuid?.() === 0)('a read-only directory: permission denied', async () => {
    const work = workdir();
    const locked = path.join(work, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    const r = await shell(`$BN normalize '${data}' -o locked/out.csv`, { cwd: work });
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: locked\/out\.csv: cannot write: permission denied$/);
    expect(readdirSync(locked)).toEqual([]);
  });
});

describe.concurrent('a closed pipe downstream (`bn … | head`) ends bn quietly with status 0', () => {
  it.each([
    [['normalize', 'DATA']],
    [['normalize', 'DATA', '--to', 'json']],
    [['normalize', 'DATA', '-b', '10', '--to', 'ndjson']],
    [['stats', 'DATA', '-b', '1', '--to', 'ndjson']],
    [['stats', 'DATA', '--save-stats', '-']],
    [['merge', 'STATS', 'STATS']],
  ])('%j', async (args) => {
    const command = args.map((a) => (a === 'DATA' ? `'${data}'` : a === 'STATS' ? `'${statsFile}'` : a)).join(' ');
    const r = await shell(`$BN ${command} | head -c 100 > /dev/null; echo "bn=\${PIPESTATUS[0]}"`);
    expect(r.stdout).toBe('bn=0\n');
    expect(r.stderr).toBe('');
  });
});

describe('a closed pipe downstream leaves no temporary file behind (SPEC §7: the spool is removed afterwards)', () => {
  it('normalize of standard input, spooled, cut short by head', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'bn-epipe-'));
    try {
      const r = await shell(`seq 1 300000 | TMPDIR='${tmp}' $BN normalize -n | head -2; echo "bn=\${PIPESTATUS[1]}"`);
      expect(r.stdout.split('\n').slice(0, 3)).toEqual(['-1.7320450340758067', '-1.7320334870704228', 'bn=0']);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/** How far bn (process `pid`) has read `file`: the offset of its descriptor (Linux /proc), or undefined when it has none open. */
function readOffset(pid: number, file: string): number | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined; // the process has ended
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== file) continue;
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed between the two reads
    }
    const pos = /^pos:\s+(\d+)/m.exec(info);
    if (pos) return Number(pos[1]);
  }
  return undefined;
}

/**
 * Start bn on `file`, cut the file after the line halfway through what bn has not read yet once
 * `when` says so, and wait (at most 20 s) for bn to end.
 */
async function truncatedWhileRead(args: string[], file: string, when: (pid: number, stdout: string) => boolean): Promise<BnResult & { cut: boolean }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let cut = false;
  const deadline = Date.now() + 20_000;
  while (!cut && child.exitCode === null && Date.now() < deadline) {
    if (when(child.pid!, stdout)) {
      // After a whole line: a cut row would be caught as ragged; a cut file must be caught as such.
      const at = readOffset(child.pid!, file) ?? 0;
      const middle = at + Math.floor((statSync(file).size - at) / 2);
      // The line break after the middle from a few bytes read there, not the whole file: bn reads
      // about half a megabyte a millisecond, and must not be done before the cut.
      const near = Buffer.alloc(256);
      const fd = openSync(file, 'r');
      const got = readSync(fd, near, 0, near.length, middle);
      closeSync(fd);
      const lineBreak = near.subarray(0, got).indexOf(10);
      if (lineBreak < 0) throw new Error(`no line break within ${got} bytes of offset ${middle}`);
      truncateSync(file, middle + lineBreak + 1);
      cut = true;
    } else {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, deadline - Date.now()));
  const code = await exited;
  clearTimeout(timer);
  return { code, stdout, stderr, cut };
}

describe.skipIf(!existsSync('/proc/self/fdinfo'))('a file truncated while bn reads it (Linux /proc shows how far)', () => {
  /** ~33 MB of rows: long enough to be caught mid-read (one thread reads about half a megabyte a millisecond). */
  function bigFile(): string {
    const file = path.join(mkdtempSync(path.join(dir, 'cut-')), 'big.csv');
    writeFileSync(file, `a,b\n${'123456,789\n'.repeat(3_000_000)}`);
    return file;
  }

  it('stats: ends at once with a clear error, not with the statistics of part of the file', async () => {
    const file = bigFile();
    const r = await truncatedWhileRead(['stats', file], file, (pid) => (readOffset(pid, file) ?? 0) > 0);
    expect(r.cut).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, /^bn: .*big\.csv(:\d+)?: /);
  });

  it('normalize, cut in its second pass: a clear error, not fewer rows than the statistics were made of', async () => {
    const file = bigFile();
    // Rows are written only in the second pass: the first output means it has begun.
    const r = await truncatedWhileRead(['normalize', file], file, (_pid, stdout) => stdout.length > 0);
    expect(r.cut).toBe(true);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: .*big\.csv(:\d+)?: /);
  });
});
