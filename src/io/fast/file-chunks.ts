/**
 * A file's bytes in chunks, read into one buffer used over and over (the fast CSV path's reader
 * copies what it keeps of a chunk: see CsvScanner). A file stream would hand out a new 1 MB
 * Buffer a chunk, garbage that the process gives back to the system late: on a 100 MB file,
 * tens of MB of peak memory for nothing. Between chunks the event loop gets a turn, so that
 * timers (a progress display) and signal handlers run.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileCut } from '../../errors.js';

export const FILE_CHUNK_BYTES = 256 << 10;

/** `label` names the file in the error of a file cut while it is read (as ../input.ts says it). */
export async function* fileChunks(path: string, label: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(chunkBytes);
    let read = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) {
        // A regular file that ends before its size at opening was cut while bn read it.
        if (read < size) throw fileCut(label, read, size);
        return;
      }
      read += n;
      yield buf.subarray(0, n);
      await nextTurn();
    }
  } finally {
    closeSync(fd);
  }
}
