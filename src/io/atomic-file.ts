/**
 * Atomic output (SPEC §4): write to a temporary file beside the target, rename over it only on
 * success. On any error the temporary file is removed and an existing target is untouched.
 *
 * The temporary file is synced before the rename: without it a crash soon after can leave the
 * target's name on an empty or partial file (file systems may write the rename before the data).
 * The directory is synced after it, so that the new name itself survives a crash.
 *
 * Only a regular file (or a name not yet taken) is replaced so. A symbolic link is followed: the
 * file it names is the target, and the link stays. A target that is no regular file (a device such
 * as /dev/null or /dev/full, a FIFO) and a descriptor named as a file (/dev/stdout) are written to
 * directly, as a shell's `>>` would: renaming over them would put a regular file in their place
 * (as root, even over /dev/null). An existing regular file's permission bits (and, for root, its
 * owner) carry over to the new one.
 */
import { createWriteStream, promises as fs, type Stats, type WriteStream } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BnError, writeFailed } from '../errors.js';
import { ATOMIC_TEMPORARY, removeStaleTemporaries } from './stale-temporaries.js';
import { registerTemporary, releaseTemporary } from './temporary-files.js';
import { syncWhileWriting } from './write-behind-sync.js';

export interface AtomicFile {
  readonly path: string;
  readonly stream: WriteStream;
  /** Close, sync and rename into place (then sync the directory); a failure is a BN_WRITE_FAILED and removes the temporary file. */
  commit(): Promise<void>;
  /** Close and remove the temporary file (safe to call after commit: then it does nothing). */
  abort(): Promise<void>;
}

export async function openAtomic(target: string): Promise<AtomicFile> {
  let resolved: string;
  let existing: Stats | undefined;
  try {
    // stat follows links as open(2) does, /proc's own included (/dev/stdout: a pipe, a terminal).
    existing = await fs.stat(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if ((existing !== undefined && !existing.isFile()) || DESCRIPTOR_PATH.test(target)) return await openDirect(target);
    // The file the rename replaces: a regular one's real path, else where a dangling link points.
    resolved = existing !== undefined ? await fs.realpath(target) : await danglingTarget(target);
  } catch (err) {
    throw err instanceof BnError ? err : writeFailed(target, err);
  }
  const dir = path.dirname(resolved);
  await removeStaleTemporaries(dir, ATOMIC_TEMPORARY);
  // The PID in the name (ATOMIC_TEMPORARY): a later run removes the file if this process dies without doing so.
  const temp = path.join(dir, `.${path.basename(resolved)}.bn-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream = await opened(temp, 'wx', target);
  registerTemporary(temp);
  const writeBehind = syncWhileWriting(stream, temp);
  return settledOnce(
    target,
    stream,
    async () => {
      try {
        await finish(stream);
        await writeBehind.stop();
        await syncPath(temp);
        // After the sync, which opens the file for writing: a read-only mode would refuse it.
        if (existing !== undefined) await keepAccess(temp, existing);
        await fs.rename(temp, resolved);
        // A failure from here on is reported although the target already holds the new bytes:
        // they may not survive a crash.
        await syncDirectory(dir);
      } catch (err) {
        await writeBehind.stop().catch(() => undefined);
        await fs.rm(temp, { force: true });
        throw writeFailed(target, err);
      } finally {
        releaseTemporary(temp);
      }
    },
    async () => {
      stream.destroy();
      await writeBehind.stop().catch(() => undefined);
      await fs.rm(temp, { force: true });
      releaseTemporary(temp);
    },
  );
}

/** An AtomicFile of `stream` whose commit and abort run once at most, whichever comes first (the other then does nothing). */
function settledOnce(target: string, stream: WriteStream, commit: () => Promise<void>, abort: () => Promise<void>): AtomicFile {
  let settled = false;
  return {
    path: target,
    stream,
    async commit() {
      if (settled) return;
      settled = true;
      await commit();
    },
    async abort() {
      if (settled) return;
      settled = true;
      await abort();
    },
  };
}

/**
 * Where a name that holds no file yet gets one: the name itself, or the end of the chain of
 * symbolic links from it (a dangling link). Each link is read from its directory's real path, as
 * the kernel reads it (a ".." in it goes up from where the link really is). A loop is ELOOP.
 */
async function danglingTarget(target: string): Promise<string> {
  let at = target;
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let link: string;
    try {
      link = await fs.readlink(at);
    } catch (err) {
      // EINVAL: not a link; ENOENT: nothing there. Either way, this is the name to write.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT' || code === 'UNKNOWN') return at;
      throw err;
    }
    at = path.resolve(await fs.realpath(path.dirname(at)), link);
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
}

/**
 * A descriptor named as a file (/dev/stdout, /dev/fd/3, /proc/self/fd/1): written to, even when it
 * is a regular file (`bn … -o /dev/stdout >> log`), which a rename would replace.
 */
const DESCRIPTOR_PATH = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/(?:self|\d+)\/fd\/\d+)$/;

/** Links followed at most (Linux's own limit for a path). */
const MAX_LINKS = 40;

/** The new file gets the replaced one's permission bits, and its owner when this process may give it (root). */
async function keepAccess(temp: string, existing: Stats): Promise<void> {
  await fs.chmod(temp, existing.mode & 0o7777);
  if (process.getuid?.() === 0) await fs.chown(temp, existing.uid, existing.gid).catch(() => undefined);
}

/**
 * A target that is no regular file (a device, a FIFO): its bytes go to it as they come, there is
 * nothing to rename or sync, and a failure cannot take back what was written.
 */
async function openDirect(target: string): Promise<AtomicFile> {
  // Appending: to a device or a FIFO it is the same as writing; to a descriptor's file, what the
  // shell opened it for (> has emptied it already, >> has not).
  const stream = await opened(target, 'a', target);
  const commit = () => finish(stream).catch((err: unknown) => Promise.reject(writeFailed(target, err)));
  return settledOnce(target, stream, commit, async () => void stream.destroy());
}

/** A write stream on `file`, once it is open; a failure is the BN_WRITE_FAILED of `target` (the name given). */
async function opened(file: string, flags: string, target: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    // No such file in a directory that exists: the file system makes none (/proc, /sys).
    const dir = path.dirname(file);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (await fs.stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new BnError('BN_WRITE_FAILED', `cannot write: ${dir} takes no new file (the temporary file it is written to first); a special file system?`, { file: target });
    }
    throw writeFailed(target, err);
  }
  return stream;
}

/** Ends `stream` once its writes are done; the first failure of any write, even one reported before, rejects. */
function finish(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    stream.once('error', reject);
    stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** fsync by path: it flushes the file's data whichever descriptor asks (Windows wants one open for writing). */
async function syncPath(file: string, flags = 'r+'): Promise<void> {
  const handle = await fs.open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * What a platform or file system answers when a directory cannot be opened or synced: Windows
 * (EISDIR, EPERM), file systems without directory fsync (EINVAL), a directory one may write to
 * but not read (EACCES). The rename is then as durable as the platform makes it.
 */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EACCES']);

async function syncDirectory(dir: string): Promise<void> {
  try {
    await syncPath(dir, 'r');
  } catch (err) {
    if (!NO_DIRECTORY_SYNC.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

/** Write a whole file atomically (a stats file, an exported model or query). */
export async function writeFileAtomic(target: string, text: string | Uint8Array): Promise<void> {
  const file = await openAtomic(target);
  try {
    await new Promise<void>((resolve, reject) => {
      file.stream.once('error', reject);
      file.stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err instanceof BnError ? err : writeFailed(target, err);
  }
}
