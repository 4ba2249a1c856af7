/**
 * An atomic output file (./atomic-file.ts) compressed by its suffix (`-o out.csv.gz`): the rows
 * go through node:zlib's compressor into the temporary file, which is put in place only once the
 * compressor has written its last bytes. Any other name is the plain atomic file.
 */
import type { Writable } from 'node:stream';
import { BnError, writeFailed } from '../errors.js';
import { openAtomic, type AtomicFile } from './atomic-file.js';
import { compressionFromPath, compressor } from './compression.js';

/** An atomic file whose `stream` may be the compressor in front of it. */
export type OutputFile = Omit<AtomicFile, 'stream'> & { readonly stream: Writable };

export async function openCompressedAtomic(target: string): Promise<OutputFile> {
  const { compression } = compressionFromPath(target);
  if (compression === undefined) return openAtomic(target);
  const deflate = compressor(compression, target); // before the file: no zstd is a usage error, and no file is made
  const file: AtomicFile = await openAtomic(target);
  deflate.pipe(file.stream, { end: false });
  // A failed write of the file (a full disk) fails the writes into the compressor.
  file.stream.on('error', (err) => deflate.destroy(err));
  return {
    path: target,
    stream: deflate,
    async commit() {
      try {
        await new Promise<void>((resolve, reject) => {
          if (deflate.errored) return reject(deflate.errored);
          deflate.once('error', reject);
          deflate.once('end', resolve);
          deflate.end();
        });
      } catch (err) {
        // The file's own failure (a full disk), passed on by the compressor: one line naming the file.
        await file.abort();
        throw err instanceof BnError ? err : writeFailed(target, err);
      }
      await file.commit();
    },
    async abort() {
      deflate.destroy();
      await file.abort();
    },
  };
}
