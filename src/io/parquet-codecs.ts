/**
 * The decompressors of Parquet pages, by codec, for hyparquet's page readers (its `Compressors`):
 * every codec the format names but LZO, which no common writer uses. hyparquet reads only Snappy
 * itself; pyarrow, Spark and DuckDB write ZSTD, GZIP, BROTLI and LZ4 when asked, and Python
 * Polars writes ZSTD by default.
 *
 * - SNAPPY: bn's own decoder (./snappy.ts says why).
 * - GZIP and BROTLI: node:zlib, native.
 * - ZSTD: node:zlib where the running Node has it, else fzstd (./zstd-sync.ts).
 * - LZ4 (Hadoop's framing or a bare block, as Arrow reads it) and LZ4_RAW: ./lz4.ts.
 *
 * Each writes into the page the caller hands out (`page(size)`: reused memory, see
 * ./parquet-memory.ts), so a page decompressed here lives where a Snappy one does. A page that
 * decompresses to another length than its header says fails (hyparquet checks the length; the
 * LZ4 decoders and node:zlib's make no more than it).
 */
import zlib from 'node:zlib';
import type { CompressionCodec, Compressors } from 'hyparquet';
import { lz4Block, lz4Hadoop } from './lz4.js';
import { snappyUncompress } from './snappy.js';
import { zstdDecompress } from './zstd-sync.js';

/** The codecs bn reads (UNCOMPRESSED needs none). */
export const READ_CODECS: readonly CompressionCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW'];

/** Decompressors that write each page of `size` bytes into `page(size)`. */
export function pageDecompressors(page: (size: number) => Uint8Array): Compressors {
  /** At most `size` bytes out of zlib (a longer page fails hyparquet's length check). */
  const viaZlib = (inflate: (input: Uint8Array, options: zlib.ZlibOptions) => Buffer) => (input: Uint8Array, size: number) =>
    copied(inflate(input, { maxOutputLength: Math.max(1, size) }), size, page);
  return {
    SNAPPY: (input, size) => {
      const out = page(size);
      snappyUncompress(input, out);
      return out;
    },
    // A gzip member, as the format says; unzip also takes the zlib stream some writers wrote.
    GZIP: viaZlib(zlib.unzipSync),
    BROTLI: viaZlib(zlib.brotliDecompressSync),
    ZSTD: (input, size) => copied(zstdDecompress(input, size), size, page),
    LZ4: (input, size) => lz4Hadoop(input, page(size)),
    LZ4_RAW: (input, size) => {
      const out = page(size);
      if (lz4Block(input, 0, input.length, out, 0) !== size) throw new Error('lz4: output shorter than expected');
      return out;
    },
  };
}

/**
 * Decompressors that write pages one after the other into `room`, and a page that no longer fits
 * into `overflow(size)`: pages that stay views of one buffer (a text chunk's, see
 * TextCells.join).
 */
export function consecutivePageDecompressors(room: Uint8Array, overflow: (size: number) => Uint8Array): Compressors {
  let used = 0;
  return pageDecompressors((size) => {
    if (size > room.length - used) return overflow(size);
    used += size;
    return room.subarray(used - size, used);
  });
}

/** `bytes` in the page the caller hands out, when it is a page's length (else as it is: the length check fails). */
function copied(bytes: Uint8Array, size: number, page: (size: number) => Uint8Array): Uint8Array {
  if (bytes.length !== size) return bytes;
  const out = page(size);
  out.set(bytes);
  return out;
}
