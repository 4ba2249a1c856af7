/**
 * Compressed files (SPEC §2, §4): which compression a path's suffix or an input's first bytes
 * say, and node:zlib's streams that undo or apply it. A stream, not a buffer: memory stays flat
 * whatever the size of the file.
 */
import { createRequire } from 'node:module';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import type * as Zlib from 'node:zlib';
import { BnError } from '../errors.js';

// node:zlib takes about 9 ms to load, and most runs read no compressed file: required when a
// stream is first made (start-up asks this module only what a path's suffix says).
const require = createRequire(import.meta.url);
let loadedZlib: typeof Zlib | undefined;
const zlib = (): typeof Zlib => (loadedZlib ??= require('node:zlib') as typeof Zlib);

export type Compression = 'gzip' | 'deflate' | 'brotli' | 'zstd';

interface CompressionEntry {
  name: Compression;
  /** File suffixes, lower case, with the dot. */
  extensions: readonly string[];
  /** Whether `head` (the input's first bytes) starts with this compression's magic bytes. */
  magic?: (head: Uint8Array) => boolean;
  decompress: () => Transform | undefined;
  compress: () => Transform | undefined;
}

/** zstd arrived in node:zlib with Node 22.15 / 23.8: absent from the types of older Nodes. */
const zstd = () => zlib() as unknown as { createZstdDecompress?: () => Transform; createZstdCompress?: () => Transform };

export const COMPRESSIONS: readonly CompressionEntry[] = [
  { name: 'gzip', extensions: ['.gz', '.gzip'], magic: (h) => h[0] === 0x1f && h[1] === 0x8b, decompress: () => zlib().createGunzip(), compress: () => zlib().createGzip() },
  // A zlib header: 0x78 and a byte that makes a multiple of 31; only the ones that are not text ("x^" may start a CSV).
  { name: 'deflate', extensions: ['.zz', '.deflate'], magic: (h) => h[0] === 0x78 && (h[1] === 0x01 || h[1] === 0x9c || h[1] === 0xda), decompress: () => zlib().createInflate(), compress: () => zlib().createDeflate() },
  // Brotli has no magic bytes: by its suffix only.
  { name: 'brotli', extensions: ['.br'], decompress: () => zlib().createBrotliDecompress(), compress: () => zlib().createBrotliCompress() },
  { name: 'zstd', extensions: ['.zst', '.zstd'], magic: (h) => h[0] === 0x28 && h[1] === 0xb5 && h[2] === 0x2f && h[3] === 0xfd, decompress: () => zstd().createZstdDecompress?.(), compress: () => zstd().createZstdCompress?.() },
];

/** The bytes `compressionFromBytes` needs to see. */
export const MAGIC_BYTES = 4;

const entryOf = (name: Compression) => COMPRESSIONS.find((e) => e.name === name)!;

/** The compression a path's last suffix says, and the path without it (`a.csv.gz` → gzip, `a.csv`). */
export function compressionFromPath(path: string): { compression?: Compression; rest: string } {
  const dot = path.lastIndexOf('.');
  const suffix = dot < 0 ? '' : path.slice(dot).toLowerCase();
  const entry = COMPRESSIONS.find((e) => e.extensions.includes(suffix));
  return entry ? { compression: entry.name, rest: path.slice(0, dot) } : { rest: path };
}

/** The compression an input's first bytes say, or undefined (not compressed, or brotli). */
export function compressionFromBytes(head: Uint8Array): Compression | undefined {
  return COMPRESSIONS.find((e) => e.magic?.(head))?.name;
}

/** What to do when this Node has no zstd. */
function noZstd(label: string, reading: boolean): BnError {
  const advice = reading ? `decompress it first: zstd -dc ${label === '<stdin>' ? '-' : label} | bn …` : 'write .gz instead, or pipe the output to zstd';
  return new BnError(reading ? 'BN_READ_FAILED' : 'BN_USAGE', `zstd needs Node 22.15 or later (this is ${process.version}): ${advice}`, { file: label });
}

/**
 * `source` decompressed. A corrupt or cut input comes out of the returned stream as one
 * BN_READ_FAILED naming `label` (zlib's own error says only "incorrect header check"); an error
 * of `source` (a read error of the file) comes out as it is. A reader that stops early releases both.
 */
export function decompressed(source: Readable, compression: Compression, label: string): Readable {
  const inflate = entryOf(compression).decompress();
  if (!inflate) throw noZstd(label, true);
  const out = new PassThrough();
  source.on('error', (err) => out.destroy(err));
  inflate.on('error', (err) => out.destroy(corrupt(compression, label, err)));
  out.on('close', () => {
    source.destroy();
    inflate.destroy();
  });
  return source.pipe(inflate).pipe(out);
}

/** A stream that compresses to `compression` (an output's suffix). */
export function compressor(compression: Compression, label: string): Transform {
  const stream = entryOf(compression).compress();
  if (!stream) throw noZstd(label, false);
  return stream;
}

function corrupt(compression: Compression, label: string, err: Error): Error {
  const reason = err.message === 'unexpected end of file' ? 'it ends too early (cut short?)' : err.message;
  return new BnError('BN_READ_FAILED', `not valid ${compression} data: ${reason}`, { file: label });
}
