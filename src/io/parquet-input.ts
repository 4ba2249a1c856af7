/**
 * A Parquet input, wherever it comes from: Parquet keeps its metadata at the end, so a reader
 * needs a file it can seek in. A regular file is read in place; standard input (or a pipe, or a
 * compressed file) is first spooled to a private temporary file, removed when the reader closes.
 */
import type { Readable } from 'node:stream';
import type { ColumnarSource } from './columnar.js';
import { spoolStdin } from './input.js';
import { openParquet } from './parquet-reader.js';

export interface BinaryInput {
  /** A regular file that may be read in place (not compressed). */
  path?: string;
  /** The input's bytes otherwise (decompressed). */
  stream(): Readable;
}

export async function openParquetInput(input: BinaryInput, label: string): Promise<ColumnarSource & { close(): Promise<void> }> {
  if (input.path !== undefined) {
    const source = await openParquet(input.path, label);
    return { ...source, blocks: () => source.blocks(), close: async () => source.close() };
  }
  const spool = await spoolStdin(input.stream(), label);
  try {
    const source = await openParquet(spool.path, label);
    return {
      ...source,
      blocks: () => source.blocks(),
      close: async () => {
        source.close();
        await spool.release();
      },
    };
  } catch (err) {
    await spool.release();
    throw err;
  }
}
