/**
 * A binary input that is read by seeking (Parquet's metadata, an Arrow file's footer: both at the
 * end of the file, saying where the rest is). A regular file is read in place; standard input (a
 * pipe, a compressed file) is first spooled to a private temporary file, removed when the reader
 * closes. Memory stays bounded by what the reader reads at a time (a row group, a record batch).
 */
import type { Readable } from 'node:stream';
import type { ColumnarSource } from './columnar.js';
import { spoolStdin } from './input.js';

export interface BinaryInput {
  /** A regular file that may be read in place (not compressed). */
  path?: string;
  /** The input's bytes otherwise (decompressed). */
  stream(): Readable;
}

export type ClosableSource = ColumnarSource & { close(): Promise<void> };

/** `open` on the input's file: in place, or on a spooled copy of `stream` (removed at close). */
export async function openSeekable(path: string | undefined, stream: () => Readable, label: string, open: (path: string) => Promise<ClosableSource>): Promise<ClosableSource> {
  if (path !== undefined) return open(path);
  const spool = await spoolStdin(stream(), label);
  try {
    const source = await open(spool.path);
    return {
      ...source,
      blocks: (take, lifetime) => source.blocks(take, lifetime),
      close: async () => {
        await source.close();
        await spool.release();
      },
    };
  } catch (err) {
    await spool.release();
    throw err;
  }
}
