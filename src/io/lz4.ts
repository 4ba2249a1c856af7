/**
 * LZ4 decompression (the formats: github.com/lz4/lz4, doc/lz4_Block_format.md and
 * doc/lz4_Frame_format.md), in the three framings columnar files use: a bare block (Parquet's
 * LZ4_RAW), Hadoop's framing of blocks (Parquet's LZ4, as Arrow C++ reads it: or else one bare
 * block), and the frame format (Arrow IPC's LZ4_FRAME: pyarrow's Feather compresses with it by
 * default).
 *
 * Why bn's own: no maintained JavaScript library reads the frame format correctly. lz4js (the one
 * apache-arrow's users register) reads a block checksum before its block, not after, and
 * returned wrong bytes for Polars' files; hyparquet-compressors (Parquet's two framings) has no
 * frame format and does not export its block decoder; lz4-napi is native code for each platform.
 * Checksums are xxHash32 (./xxhash32.ts). test/io/lz4.test.ts checks this against hyparquet-compressors' decoder on Parquet's framings and
 * against frames of other writers (Polars' Arrow files, end to end).
 */

import { xxhash32 } from './xxhash32.js';

/** The blocks' largest size, by the frame descriptor's BD byte (bits 6–4: 4 to 7). */
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];
const FRAME_MAGIC = 0x184d2204;

function fail(what: string): never {
  throw new Error(`lz4: ${what}`);
}

/**
 * The block in src[at, end) decompressed into dst from `out` on (matches may reach back into
 * what dst holds before `out`: a frame's linked blocks); returns where its output ends.
 */
export function lz4Block(src: Uint8Array, at: number, end: number, dst: Uint8Array, out: number): number {
  let s = at;
  let d = out;
  while (s < end) {
    const token = src[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      for (let b = 255; b === 255; literals += b) {
        if (s >= end) fail('literal length past the end of its block');
        b = src[s++]!;
      }
    }
    if (s + literals > end) fail('literals past the end of their block');
    if (d + literals > dst.length) fail('output longer than expected');
    dst.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s === end) break; // the last sequence has literals only
    if (s + 2 > end) fail('match offset past the end of its block');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d) fail('match from before the start of the output');
    let length = (token & 15) + 4;
    if ((token & 15) === 15) {
      for (let b = 255; b === 255; length += b) {
        if (s >= end) fail('match length past the end of its block');
        b = src[s++]!;
      }
    }
    if (d + length > dst.length) fail('output longer than expected');
    if (s === end) fail('a block that ends with a match (its last sequence must be literals)');
    const from = d - offset;
    if (offset >= length) {
      dst.copyWithin(d, from, from + length);
    } else {
      // Overlapping: the last `offset` bytes repeated, byte by byte in order.
      for (let k = 0; k < length; k++) dst[d + k] = dst[from + k]!;
    }
    d += length;
  }
  return d;
}

/**
 * Parquet's LZ4: Hadoop's framing (big-endian sizes before each block) when the bytes read as
 * one, else the frame format (what older writers of arrow-rs wrote) when they start as a frame,
 * else one bare block; as arrow-rs reads it.
 */
export function lz4Hadoop(src: Uint8Array, dst: Uint8Array): Uint8Array {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let s = 0;
  let d = 0;
  while (s + 8 <= src.length) {
    const size = view.getUint32(s);
    const length = view.getUint32(s + 4);
    if (s + 8 + length > src.length || d + size > dst.length) break;
    let written: number;
    try {
      written = lz4Block(src, s + 8, s + 8 + length, dst, d);
    } catch {
      break;
    }
    if (written !== d + size) break;
    s += 8 + length;
    d += size;
    if (s === src.length && d === dst.length) return dst;
  }
  if (src.length >= 4 && new DataView(src.buffer, src.byteOffset, 4).getUint32(0, true) === FRAME_MAGIC) {
    dst.set(lz4Frames(src, dst.length));
    return dst;
  }
  // Neither: one bare block.
  if (lz4Block(src, 0, src.length, dst, 0) !== dst.length) fail('output shorter than expected');
  return dst;
}

/**
 * The frames in `src` (the frame format; skippable frames skipped), their contents one after the
 * other, every checksum a frame has checked (its header's, each block's, its content's: a
 * flipped bit in a file must not become a wrong number). `expected`, when the container says it
 * (Arrow's buffers do): the length the contents must have, and all the memory made for them;
 * else it grows as blocks come, and a frame's declared content size must be right.
 */
export function lz4Frames(src: Uint8Array, expected?: number): Uint8Array {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  // Without a length, room for a little more than the input (LZ4 shrinks at most 255 to 1).
  let dst = new Uint8Array(expected ?? Math.min(Math.max(64, src.length * 4), 255 * src.length + 64));
  let s = 0;
  let d = 0;
  const room = (bytes: number) => {
    if (d + bytes <= dst.length) return;
    if (expected !== undefined) fail('output longer than expected');
    const grown = new Uint8Array(Math.max(2 * dst.length, d + bytes));
    grown.set(dst.subarray(0, d));
    dst = grown;
  };
  const need = (bytes: number, what: string) => {
    if (s + bytes > src.length) fail(`truncated ${what}`);
  };
  while (s < src.length) {
    need(4, 'frame');
    const magic = view.getUint32(s, true);
    s += 4;
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: its length, then bytes of no meaning here.
      need(4, 'skippable frame');
      const length = view.getUint32(s, true);
      s += 4;
      need(length, 'skippable frame');
      s += length;
      continue;
    }
    if (magic !== FRAME_MAGIC) fail(`not an LZ4 frame (magic number 0x${magic.toString(16)})`);
    const header = s;
    need(3, 'frame header');
    const flags = src[s++]!;
    const descriptor = src[s++]!;
    if (flags >>> 6 !== 1) fail(`frame version ${flags >>> 6}`);
    if (flags & 1) fail('frames with a dictionary are not supported');
    if (flags & 2 || descriptor & 0x8f) fail('reserved bits set in the frame header');
    const blockChecksum = (flags & 0x10) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const blockMax = BLOCK_MAX[(descriptor >>> 4) & 7]!;
    if (blockMax === 0) fail(`block size code ${(descriptor >>> 4) & 7}`);
    let declared: number | undefined;
    if (flags & 0x08) {
      need(9, 'frame header');
      const size = view.getBigUint64(s, true);
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) fail(`content size ${size}`);
      declared = Number(size);
      s += 8;
    }
    if (src[s] !== ((xxhash32(src, header, s) >>> 8) & 0xff)) fail('frame header checksum mismatch');
    s++;
    const first = d;
    for (;;) {
      need(4, 'block');
      const word = view.getUint32(s, true);
      s += 4;
      if (word === 0) break; // the end mark
      const size = word & 0x7fffffff;
      if (size > blockMax) fail(`a block of ${size} bytes in a frame of blocks of at most ${blockMax}`);
      need(size + (blockChecksum ? 4 : 0), 'block');
      if (blockChecksum && view.getUint32(s + size, true) !== xxhash32(src, s, s + size)) fail('block checksum mismatch');
      if (word & 0x80000000) {
        // Stored as it is.
        room(size);
        dst.set(src.subarray(s, s + size), d);
        d += size;
      } else {
        room(expected === undefined ? blockMax : 0);
        d = lz4Block(src, s, s + size, dst, d);
      }
      s += size + (blockChecksum ? 4 : 0);
    }
    if (declared !== undefined && d - first !== declared) fail(`a frame of ${d - first} bytes that says it holds ${declared}`);
    if (contentChecksum) {
      need(4, 'content checksum');
      if (view.getUint32(s, true) !== xxhash32(dst, first, d)) fail('content checksum mismatch');
      s += 4;
    }
  }
  if (expected !== undefined && d !== expected) fail(`${d} bytes where ${expected} were expected`);
  // Not the grown buffer itself: it may be several times the content, and Arrow keeps each.
  return d === dst.length ? dst : dst.slice(0, d);
}
