/**
 * Atomic output (SPEC §4): write to a temporary file beside the target, rename over it only on
 * success. On any error the temporary file is removed and an existing target is untouched.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BnError, writeFailed } from '../errors.js';
import { registerTemporary, releaseTemporary } from './temporary-files.js';

export interface AtomicFile {
  readonly path: string;
  readonly stream: WriteStream;
  /** Close, sync and rename into place. */
  commit(): Promise<void>;
  /** Close and remove the temporary file (safe to call after commit: then it does nothing). */
  abort(): Promise<void>;
}

export async function openAtomic(target: string): Promise<AtomicFile> {
  const dir = path.dirname(target);
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
        await fs.rename(temp, target);
      } catch (err) {
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
      await fs.rm(temp, { force: true });
      releaseTemporary(temp);
    },
  };
}

/** Write a whole file atomically (the stats file). */
export async function writeFileAtomic(target: string, text: string): Promise<void> {
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
