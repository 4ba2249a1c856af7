/**
 * Atomic output (SPEC §4): write to a temporary file beside the target, rename over it only on
 * success. On any error the temporary file is removed and an existing target is untouched.
 *
 * The temporary file is synced before the rename: without it a crash soon after can leave the
 * target's name on an empty or partial file (file systems may write the rename before the data).
 * The directory is synced after it, so that the new name itself survives a crash.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
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
  const dir = path.dirname(target);
  await removeStaleTemporaries(dir, ATOMIC_TEMPORARY);
  // The PID in the name (ATOMIC_TEMPORARY): a later run removes the file if this process dies without doing so.
  const temp = path.join(dir, `.${path.basename(target)}.bn-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx' });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    throw writeFailed(target, err);
  }
  registerTemporary(temp);
  const writeBehind = syncWhileWriting(stream, temp);
  let settled = false;
  return {
    path: target,
    stream,
    async commit() {
      if (settled) return;
      settled = true;
      try {
        await new Promise<void>((resolve, reject) => {
          stream.once('error', reject);
          stream.end(() => resolve());
        });
        await writeBehind.stop();
        await syncPath(temp);
        await fs.rename(temp, target);
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
    async abort() {
      if (settled) return;
      settled = true;
      stream.destroy();
      await writeBehind.stop().catch(() => undefined);
      await fs.rm(temp, { force: true });
      releaseTemporary(temp);
    },
  };
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
