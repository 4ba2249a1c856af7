/**
 * src/io/parquet-codecs.ts: each codec's page decompressed into the page the caller hands out, on
 * bytes compressed here by another implementation (node:zlib's compressors; LZ4 blocks written
 * by hand from the format's description, in both framings Parquet files have). The end-to-end
 * test (test/e2e/parquet.test.ts) reads DuckDB's files of each codec.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pageDecompressors } from '../../src/io/parquet-codecs.js';

const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i % 97},${(i * 0.37).toFixed(3)}\n`).join(''));

/** A decompressor set whose pages are handed out here, and the pages it asked for. */
function decompressors() {
  const pages: Uint8Array[] = [];
  const codecs = pageDecompressors((size) => {
    const page = new Uint8Array(size);
    pages.push(page);
    return page;
  });
  return { codecs, pages };
}

/** An LZ4 block of one sequence: every byte a literal (the format's last sequence has no match). */
function lz4Literals(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  const n = bytes.length;
  out.push(Math.min(n, 15) << 4);
  if (n >= 15) {
    let rest = n - 15;
    for (; rest >= 255; rest -= 255) out.push(255);
    out.push(rest);
  }
  return Uint8Array.from([...out, ...bytes]);
}

/** Hadoop's framing of an LZ4 block (what older Arrow wrote as LZ4): big-endian sizes, then the block. */
function hadoopFramed(block: Uint8Array, size: number): Uint8Array {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(block.length, 4);
  return Uint8Array.from([...header, ...block]);
}

describe('pageDecompressors', () => {
  const compressed: [string, () => Uint8Array][] = [
    ['GZIP', () => zlib.gzipSync(data)],
    ['BROTLI', () => zlib.brotliCompressSync(data)],
    ['LZ4_RAW', () => lz4Literals(data)],
    ['LZ4', () => hadoopFramed(lz4Literals(data), data.length)],
  ];
  const zstdSync = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync;
  // A Node without zstd in node:zlib decompresses with fzstd; one with it compresses here too.
  if (zstdSync) compressed.push(['ZSTD', () => zstdSync(data)]);

  it.each(compressed)('%s: the bytes, in the page handed out for them', (codec, compress) => {
    const { codecs, pages } = decompressors();
    const page = codecs[codec as keyof typeof codecs]!(compress(), data.length);
    expect(Buffer.from(page).equals(data)).toBe(true);
    expect(pages).toHaveLength(1);
    expect(page).toBe(pages[0]);
  });

  it('GZIP: a zlib stream too (some writers wrote one)', () => {
    const { codecs } = decompressors();
    expect(Buffer.from(codecs.GZIP!(zlib.deflateSync(data), data.length)).equals(data)).toBe(true);
  });

  it('a page that decompresses to another length than its header says comes back at its own length (hyparquet then fails it), not in a page', () => {
    const { codecs, pages } = decompressors();
    expect(codecs.GZIP!(zlib.gzipSync(data.subarray(0, 100)), 200).length).toBe(100);
    // More than the header says is not made at all.
    expect(() => codecs.GZIP!(zlib.gzipSync(data), 100)).toThrow();
    expect(codecs.LZ4_RAW!(lz4Literals(data.subarray(0, 100)), 100).length).toBe(100);
    expect(pages).toHaveLength(1);
  });

  it('SNAPPY: bn\'s decoder, into the page handed out', () => {
    const { codecs, pages } = decompressors();
    // A Snappy stream of one literal: the length as a varint, a literal tag (60: a 1-byte length follows), the bytes.
    const bytes = data.subarray(0, 200);
    const page = codecs.SNAPPY!(Uint8Array.from([200, 1, 60 << 2, 199, ...bytes]), 200);
    expect(Buffer.from(page).equals(bytes)).toBe(true);
    expect(page).toBe(pages[0]);
  });
});
