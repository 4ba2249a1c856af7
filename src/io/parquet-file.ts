/**
 * A Parquet file as hyparquet reads it (an AsyncBuffer: byte ranges by offset), with positioned
 * reads into ./parquet-memory.ts. A row group's column chunks can be asked for ahead
 * (`prefetch`): they are then read by libuv's threads while the main thread decodes the chunks
 * before them, and hyparquet's request for one is answered by its read under way.
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import type { AsyncBuffer } from 'hyparquet';
import { BnError } from '../errors.js';
import type { GroupMemory } from './parquet-memory.js';

/** A column chunk's bytes: [start, end) in the file, and whether its codec compresses it. */
export interface ChunkRange {
  start: number;
  end: number;
  compressed: boolean;
}

export interface ParquetFile extends AsyncBuffer {
  /** Starts reading `ranges`; each is handed to the first `slice` of exactly that range. */
  prefetch(ranges: readonly ChunkRange[]): void;
  close(): void;
}

export function parquetFile(path: string, label: string, memory: GroupMemory): ParquetFile {
  const fd = openSync(path, 'r');
  const byteLength = fstatSync(fd).size;
  let open = true;
  const ahead = new Map<number, { end: number; bytes: Promise<ArrayBuffer> }>();
  const truncated = (wanted: number, start: number, got: number) =>
    new BnError('BN_CORRUPT_FILE', `not a valid Parquet file (truncated): ${wanted} bytes wanted at offset ${start}, ${got} there`, { file: label });
  return {
    byteLength,
    slice(start: number, end = byteLength): ArrayBuffer | Promise<ArrayBuffer> {
      const pending = ahead.get(start);
      if (pending?.end === end) {
        ahead.delete(start);
        return pending.bytes;
      }
      // Not asked for ahead (the metadata), or asked for otherwise: its exact length, read now.
      const bytes = memory.chunk(Math.max(0, end - start), false);
      const got = readSync(fd, bytes, 0, bytes.length, start);
      if (got < bytes.length) throw truncated(bytes.length, start, got);
      return bytes.buffer as ArrayBuffer;
    },
    prefetch(ranges: readonly ChunkRange[]): void {
      ahead.clear();
      for (const { start, end, compressed } of ranges) {
        const bytes = memory.chunk(Math.max(0, end - start), compressed);
        const promise = new Promise<ArrayBuffer>((resolve, reject) =>
          read(fd, bytes, 0, bytes.length, start, (err, got) => (err ? reject(err) : got < bytes.length ? reject(truncated(bytes.length, start, got)) : resolve(bytes.buffer as ArrayBuffer))),
        );
        promise.catch(() => {}); // said when hyparquet asks for it; a chunk never asked for fails no one
        ahead.set(start, { end, bytes: promise });
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
