/**
 * src/io/atomic-file.ts: commit syncs the temporary file before the rename and the directory
 * after it. fs.promises.open is wrapped so that each handle's sync is recorded (and can fail as
 * a full disk would); the files are real, in a fresh directory.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, lstatSync, mkdirSync, mkdtempSync, promises as fsp, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openAtomic, writeFileAtomic } from '../../src/io/atomic-file.js';
import { expectBnError } from '../helpers/run-bn.js';

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** A directory holding out.csv with "previous\n". */
function previousTarget(): { dir: string; target: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-atomic-'));
  const target = path.join(dir, 'out.csv');
  writeFileSync(target, 'previous\n');
  return { dir, target };
}

/**
 * Record every sync and rename as "sync temp", "sync directory", "rename"; `fail` makes the sync
 * of the temporary file or of the directory throw an errno error instead.
 */
function watchSyncs(dir: string, fail?: { what: 'temp' | 'directory' | 'background'; code: string }): string[] {
  const events: string[] = [];
  const { open, rename } = fsp;
  vi.spyOn(fsp, 'open').mockImplementation(async (file, flags, mode) => {
    const handle = await open(file, flags, mode);
    const what = file === dir ? 'directory' : 'temp';
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      events.push(`sync ${what}`);
      if (fail?.what === what) throw errno(fail.code);
      return sync();
    };
    const datasync = handle.datasync.bind(handle);
    handle.datasync = async () => {
      events.push(`datasync ${what}`);
      if (fail?.what === 'background') throw errno(fail.code);
      return datasync();
    };
    return handle;
  });
  vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
    events.push('rename');
    return rename(from, to);
  });
  return events;
}

/** Open the target atomically, write `text` and commit. */
async function commitText(target: string, text: string): Promise<void> {
  const file = await openAtomic(target);
  file.stream.write(text);
  await file.commit();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('commit', () => {
  // EINVAL, EISDIR, EPERM, EACCES: what a platform or file system that cannot sync a directory answers.
  it.each([
    ['succeeds', undefined],
    ['fails with EINVAL', 'EINVAL'],
    ['fails with EISDIR', 'EISDIR'],
    ['fails with EPERM', 'EPERM'],
    ['fails with EACCES', 'EACCES'],
  ])('syncs the temporary file, renames it over the target, then syncs the directory (whose sync %s)', async (_what, code) => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir, code === undefined ? undefined : { what: 'directory', code });
    await commitText(target, 'a,b\n1,2\n');
    expect(events).toEqual(['sync temp', 'rename', 'sync directory']);
    expect(readFileSync(target, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('reports a failed sync of the file as a write failure, removes the temporary file and leaves the target as it was', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir, { what: 'temp', code: 'ENOSPC' });
    const err = await expectBnError(commitText(target, 'a,b\n1,2\n'), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: target } });
    expect(err.describe()).toBe(`${target}: cannot write: no space left on device`);
    expect(events).toEqual(['sync temp']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('reports any other failure of the directory sync (the new bytes are in place but may not survive a crash)', async () => {
    const { dir, target } = previousTarget();
    watchSyncs(dir, { what: 'directory', code: 'EIO' });
    await expectBnError(commitText(target, 'new\n'), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: target }, message: /^cannot write: input\/output error \(the disk or the file system failed\)$/ });
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
});

describe('writeFileAtomic (the stats file)', () => {
  it('syncs before the rename too, and a failed sync leaves the old file', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir, { what: 'temp', code: 'ENOSPC' });
    await expectBnError(writeFileAtomic(target, '{}\n'), {
      code: 'BN_WRITE_FAILED',
      exit: 1,
      location: { file: target },
      message: /^cannot write: no space left on device$/,
    });
    expect(events).toEqual(['sync temp']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
});

describe('syncing while writing', () => {
  const MiB = 1024 * 1024;
  /** Write 40 MiB in two parts, with time between them for the background sync to start. */
  async function writeLarge(target: string): Promise<Buffer> {
    const file = await openAtomic(target);
    const bytes = Buffer.alloc(40 * MiB, 'x');
    try {
      await new Promise<void>((resolve) => file.stream.write(bytes.subarray(0, 20 * MiB), () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      file.stream.write(bytes.subarray(20 * MiB));
      await file.commit();
    } catch (err) {
      await file.abort();
      throw err;
    }
    return bytes;
  }

  it('flushes a large output during the writing, so the sync before the rename finds only the tail', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir);
    const bytes = await writeLarge(target);
    expect(events[0]).toBe('datasync temp');
    expect(events.slice(events.indexOf('sync temp'))).toEqual(['sync temp', 'rename', 'sync directory']);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  });

  it('does not sync a small output before the commit', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir);
    await commitText(target, 'a\n1\n');
    expect(events).toEqual(['sync temp', 'rename', 'sync directory']);
  });

  it('goes on without syncing ahead when it cannot open a descriptor (EMFILE): the commit syncs and succeeds', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir);
    let refused = false;
    const wrapped = vi.mocked(fsp.open).getMockImplementation()!;
    vi.mocked(fsp.open).mockImplementation(async (file, flags, mode) => {
      // The first descriptor asked for the temporary file is the background sync's.
      if (!refused && file !== dir && flags === 'r+') {
        refused = true;
        throw errno('EMFILE');
      }
      return wrapped(file, flags, mode);
    });
    const bytes = await writeLarge(target);
    expect(refused).toBe(true);
    expect(events).toEqual(['sync temp', 'rename', 'sync directory']);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  });

  it('reports a failed background sync at the commit (a later descriptor may not see it), and leaves the old file', async () => {
    const { dir, target } = previousTarget();
    const events = watchSyncs(dir, { what: 'background', code: 'EIO' });
    await expectBnError(writeLarge(target), {
      code: 'BN_WRITE_FAILED',
      exit: 1,
      location: { file: target },
      message: /^cannot write: input\/output error \(the disk or the file system failed\)$/,
    });
    expect(events).toEqual(['datasync temp']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
});

/**
 * What the name points at decides how it is written: a regular file is replaced by a rename, and
 * keeps its permissions; a link is followed and stays a link; anything else (a device, a FIFO) is
 * written to directly and stays what it is. Devices are made with mknod in a fresh directory
 * (root only): a test of /dev/null itself would, if the code were wrong, break the machine's.
 */
describe('what the target is', () => {
  const fresh = () => mkdtempSync(path.join(os.tmpdir(), 'bn-atomic-kind-'));
  const isRoot = process.getuid?.() === 0;
  const mknod = (file: string, major: number, minor: number) => execFileSync('mknod', ['-m', '666', file, 'c', String(major), String(minor)]);

  it('a symbolic link: the file it names gets the bytes, the link stays a link', async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'real.csv'), 'previous\n');
    symlinkSync('real.csv', path.join(dir, 'link.csv'));
    await writeFileAtomic(path.join(dir, 'link.csv'), 'new\n');
    expect(lstatSync(path.join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'real.csv'), 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['link.csv', 'real.csv']);
  });

  it('a link to a name not taken yet (and a link to that link): the file is made under the last name, the links stay', async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'sub'));
    symlinkSync('sub/new.csv', path.join(dir, 'first.csv'));
    symlinkSync('first.csv', path.join(dir, 'second.csv'));
    await writeFileAtomic(path.join(dir, 'second.csv'), 'new\n');
    expect(readFileSync(path.join(dir, 'sub', 'new.csv'), 'utf8')).toBe('new\n');
    expect([lstatSync(path.join(dir, 'first.csv')).isSymbolicLink(), lstatSync(path.join(dir, 'second.csv')).isSymbolicLink()]).toEqual([true, true]);
  });

  it('a relative link read from where it really is: its ".." goes up from the real directory, not the name it was reached by', async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'real', 'sub'), { recursive: true });
    mkdirSync(path.join(dir, 'real', 'data'));
    writeFileSync(path.join(dir, 'real', 'data', 'out.csv'), 'previous\n');
    symlinkSync('../data/out.csv', path.join(dir, 'real', 'sub', 'out.lnk'));
    symlinkSync('real/sub', path.join(dir, 'alias'));
    await writeFileAtomic(path.join(dir, 'alias', 'out.lnk'), 'new\n');
    expect(readFileSync(path.join(dir, 'real', 'data', 'out.csv'), 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['alias', 'real']);
    // The same through a dangling link: the file is made where the kernel would make it.
    symlinkSync('../data/new.csv', path.join(dir, 'real', 'sub', 'new.lnk'));
    await writeFileAtomic(path.join(dir, 'alias', 'new.lnk'), 'made\n');
    expect(readFileSync(path.join(dir, 'real', 'data', 'new.csv'), 'utf8')).toBe('made\n');
  });

  it('a directory: BN_WRITE_FAILED "is a directory" at once, before anything is written', async () => {
    const dir = fresh();
    await expectBnError(openAtomic(dir), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: dir }, message: /is a directory/ });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('a read-only file is replaced and stays read-only (its mode is given after the sync, which opens it for writing)', async () => {
    const { target } = previousTarget();
    chmodSync(target, 0o444);
    await writeFileAtomic(target, 'new\n');
    expect(statSync(target).mode & 0o777).toBe(0o444);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('a loop of links: BN_WRITE_FAILED naming the name given', async () => {
    const dir = fresh();
    symlinkSync('b.csv', path.join(dir, 'a.csv'));
    symlinkSync('a.csv', path.join(dir, 'b.csv'));
    await expectBnError(writeFileAtomic(path.join(dir, 'a.csv'), 'new\n'), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: path.join(dir, 'a.csv') }, message: /^cannot write: too many levels of symbolic links$/ });
  });

  it.skipIf(process.platform === 'win32')('a socket: BN_WRITE_FAILED that says a socket cannot be opened as a file (not the raw ENXIO text)', async () => {
    const dir = fresh();
    const socket = path.join(dir, 'sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await expectBnError(writeFileAtomic(socket, 'new\n'), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: socket }, message: /^cannot write: no such device or address \(a socket cannot be opened as a file\)$/ });
      expect(statSync(socket).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it.skipIf(process.platform === 'win32')('an existing file keeps its permission bits (a private file stays private)', async () => {
    const { target } = previousTarget();
    chmodSync(target, 0o600);
    await writeFileAtomic(target, 'new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });

  it.skipIf(!isRoot)('a device that takes anything (a null device made with mknod): written to, and still a device', async () => {
    const dir = fresh();
    const device = path.join(dir, 'null');
    mknod(device, 1, 3);
    await writeFileAtomic(device, 'new\n');
    expect(statSync(device).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['null']);
  });

  it.skipIf(!isRoot)('a device that is full (a /dev/full made with mknod): BN_WRITE_FAILED "no space left on device", and still a device', async () => {
    const dir = fresh();
    const device = path.join(dir, 'full');
    mknod(device, 1, 7);
    const file = await openAtomic(device);
    file.stream.write('x'.repeat(100_000));
    file.stream.on('error', () => {});
    await expectBnError(file.commit(), { code: 'BN_WRITE_FAILED', exit: 1, location: { file: device }, message: /no space left on device/ });
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('a FIFO: its reader gets the bytes, and it stays a FIFO', async () => {
    const dir = fresh();
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo).on('data', (c) => chunks.push(Buffer.from(c))).on('end', () => resolve(Buffer.concat(chunks).toString())).on('error', reject);
    });
    await writeFileAtomic(fifo, 'through the pipe\n');
    expect(await reader).toBe('through the pipe\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});
