/**
 * zstd decompressed at once, for the codecs of Parquet pages and Arrow IPC buffers: node:zlib's
 * (native) where this Node has it, from 22.15 / 23.8 on (absent from the types of older Nodes),
 * else fzstd (pure JavaScript, the decoder hyparquet-compressors uses). A stream's `.zst` is
 * node:zlib's only (./compression.ts): it streams.
 */
import zlib from 'node:zlib';
import { decompress as fzstd } from 'fzstd';

const native = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array, options?: zlib.ZlibOptions) => Buffer }).zstdDecompressSync;

/**
 * `input`'s frames decompressed. `maxLength`: node:zlib makes no more than that (it fails beyond
 * it); fzstd cannot be bounded (given a buffer, it cuts or pads to it silently, hiding a wrong
 * length), so it makes what the frames say, and the caller checks the length.
 */
export function zstdDecompress(input: Uint8Array, maxLength?: number): Uint8Array {
  if (native) return native(input, maxLength === undefined ? {} : { maxOutputLength: Math.max(1, maxLength) });
  return fzstd(input);
}
