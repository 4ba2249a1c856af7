/**
 * A file's bytes in chunks, read into one buffer used over and over (the fast CSV path's reader
 * copies what it keeps of a chunk: see CsvScanner). A file stream would hand out a new 1 MB
 * Buffer a chunk, garbage that the process gives back to the system late: on a 100 MB file,
 * tens of MB of peak memory for nothing. Between chunks the event loop gets a turn, so that
 * timers (a progress display) and signal handlers run.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const FILE_CHUNK_BYTES = 256 << 10;

export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fd);
  }
}
