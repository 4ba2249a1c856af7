/**
 * Flushes a file to disk while it is still being written. The sync that an atomic commit does
 * before its rename must otherwise write the whole file at the end, with nothing else to do:
 * about 250 ms for a 100 MB output here, a sixth of a whole `normalize`. Syncing each further
 * few MiB in the background (on libuv's thread pool, while the writer computes the next bytes)
 * leaves the final sync only the tail.
 *
 * A failure of a background sync is kept and reported by stop(): after one descriptor has seen a
 * write-back error, Linux does not report it again to a descriptor opened later, so the final
 * sync alone could miss it.
 */
import { promises as fs } from 'node:fs';
import type { WriteStream } from 'node:fs';

/** Sync again once this much more has been written since the last sync began. */
const SYNC_STEP = 16 * 1024 * 1024;
/** How often the written byte count is looked at. */
const POLL_MS = 20;

export interface WriteBehindSync {
  /** Stop syncing, wait for a sync under way; throws the first failure of any background sync. */
  stop(): Promise<void>;
}

export function syncWhileWriting(stream: WriteStream, file: string): WriteBehindSync {
  let handle: fs.FileHandle | undefined;
  let inFlight: Promise<void> | undefined;
  let syncedTo = 0;
  let failure: unknown;
  let off = false;
  const syncOnce = async (): Promise<void> => {
    try {
      // A descriptor of its own, open for writing (Windows wants that for a flush); the stream's
      // is busy with its writes.
      handle ??= await fs.open(file, 'r+');
    } catch {
      // No descriptor to spare (EMFILE, say): no syncing ahead, which only saves time; the
      // commit's own sync still makes the file durable, or reports why not.
      off = true;
      return;
    }
    try {
      await handle.datasync();
    } catch (err) {
      failure ??= err;
    }
  };
  const timer = setInterval(() => {
    if (inFlight !== undefined || failure !== undefined || off) return;
    const written = stream.bytesWritten;
    if (written - syncedTo < SYNC_STEP) return;
    syncedTo = written;
    inFlight = syncOnce().finally(() => {
      inFlight = undefined;
    });
  }, POLL_MS);
  // The timer must not keep a finished process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await handle?.close().catch(() => undefined);
      handle = undefined;
      if (failure !== undefined) throw failure;
    },
  };
}
