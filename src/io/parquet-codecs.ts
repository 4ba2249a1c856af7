/**
 * The decompressors of Parquet pages, by codec, for hyparquet's page readers (its `Compressors`):
 * every codec the format names but LZO, which no common writer uses. hyparquet reads only Snappy
 * itself; pyarrow, Spark and DuckDB write ZSTD, GZIP, BROTLI and LZ4 when asked, and Python
 * Polars writes ZSTD by default.
 *
 * - SNAPPY: bn's own decoder (./snappy.ts says why).
 * - GZIP, BROTLI, and ZSTD where the running Node has it (22.15 / 23.8 on): node:zlib, native.
 * - ZSTD on older Nodes: fzstd, the pure JavaScript decoder hyparquet-compressors uses.
 * - LZ4 (Hadoop's framing or a bare block, as Arrow reads it) and LZ4_RAW: hyparquet-compressors.
 *
 * Each writes into the page the caller hands out (`page(size)`: reused memory, see
 * ./parquet-memory.ts), so a page decompressed here lives where a Snappy one does. A page that
 * decompresses to another length than its header says fails in hyparquet's check, and output
 * past that length is not made (maxOutputLength).
 */
import zlib from 'node:zlib';
import { decompress as fzstd } from 'fzstd';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';
import type { CompressionCodec, Compressors } from 'hyparquet';
import { snappyUncompress } from './snappy.js';

/** node:zlib's zstd, where this Node has it (absent from the types of older Nodes). */
const zstdSync = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array, options?: zlib.ZlibOptions) => Buffer }).zstdDecompressSync;

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
    ZSTD: zstdSync ? viaZlib(zstdSync) : (input, size) => copied(fzstd(input), size, page),
    LZ4: (input, size) => copied(decompressLz4(input, size), size, page),
    LZ4_RAW: (input, size) => copied(decompressLz4Raw(input, size), size, page),
  };
}

/** `bytes` in the page the caller hands out, when it is a page's length (else as it is: the length check fails). */
function copied(bytes: Uint8Array, size: number, page: (size: number) => Uint8Array): Uint8Array {
  if (bytes.length !== size) return bytes;
  const out = page(size);
  out.set(bytes);
  return out;
}
