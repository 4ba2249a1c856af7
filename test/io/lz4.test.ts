/**
 * src/io/lz4.ts against bytes an encoder written here makes from the formats' descriptions
 * (sharing no code with the decoder: matches found by plain search, xxHash32 in BigInt
 * arithmetic), and against hyparquet-compressors' decoder (a devDependency) on Parquet's two
 * framings; src/io/xxhash32.ts on the specification's known values. Polars' frames are read end
 * to end in test/e2e/arrow.test.ts.
 */
import fc from 'fast-check';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';
import { describe, expect, it } from 'vitest';
import { lz4Block, lz4Frames, lz4Hadoop } from '../../src/io/lz4.js';
import { xxhash32 } from '../../src/io/xxhash32.js';

/** A length's extra bytes past 15 (255s, then the rest). */
function lengthBytes(n: number): number[] {
  const out: number[] = [];
  for (; n >= 255; n -= 255) out.push(255);
  out.push(n);
  return out;
}

/**
 * An LZ4 block of `data`: at each position the longest match (4 bytes or more, at most 64 KiB
 * back, into `history` too, which comes before `data`), found by plain search; literals
 * otherwise; the last 5 bytes literals, as the format asks.
 */
function encodeBlock(data: Uint8Array, history: Uint8Array = new Uint8Array(0)): Uint8Array {
  const all = Uint8Array.from([...history, ...data]);
  const out: number[] = [];
  let literalStart = history.length;
  let i = history.length;
  const emit = (literalEnd: number, match?: { offset: number; length: number }) => {
    const literals = literalEnd - literalStart;
    const matchCode = match ? match.length - 4 : 0;
    out.push((Math.min(literals, 15) << 4) | Math.min(matchCode, 15));
    if (literals >= 15) out.push(...lengthBytes(literals - 15));
    out.push(...all.subarray(literalStart, literalEnd));
    if (match) {
      out.push(match.offset & 255, match.offset >> 8);
      if (matchCode >= 15) out.push(...lengthBytes(matchCode - 15));
    }
  };
  while (i < all.length - 5) {
    let best = { offset: 0, length: 0 };
    for (let from = Math.max(0, i - 65535); from < i; from++) {
      let n = 0;
      while (i + n < all.length - 5 && all[from + n] === all[i + n]) n++;
      if (n >= best.length) best = { offset: i - from, length: n };
    }
    if (best.length >= 4) {
      emit(i, best);
      i += best.length;
      literalStart = i;
    } else {
      i++;
    }
  }
  emit(all.length);
  return Uint8Array.from(out);
}

/** xxHash32 with seed 0, from the specification, in BigInt arithmetic (mod 2^32 at each step). */
function xxh32(bytes: Uint8Array): number {
  const M = 2n ** 32n;
  const [P1, P2, P3, P4, P5] = [2654435761n, 2246822519n, 3266489917n, 668265263n, 374761393n];
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (32n - r))) % M;
  const word = (p: number) => BigInt(bytes[p]! + bytes[p + 1]! * 256 + bytes[p + 2]! * 65536 + bytes[p + 3]! * 16777216);
  const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) % M, 13n) * P1) % M;
  let p = 0;
  let h: bigint;
  if (bytes.length >= 16) {
    const v = [(P1 + P2) % M, P2, 0n, M - P1];
    for (; p + 16 <= bytes.length; p += 16) for (let k = 0; k < 4; k++) v[k] = round(v[k]!, word(p + 4 * k));
    h = (rotl(v[0]!, 1n) + rotl(v[1]!, 7n) + rotl(v[2]!, 12n) + rotl(v[3]!, 18n)) % M;
  } else {
    h = P5;
  }
  h = (h + BigInt(bytes.length)) % M;
  for (; p + 4 <= bytes.length; p += 4) h = (rotl((h + word(p) * P3) % M, 17n) * P4) % M;
  for (; p < bytes.length; p++) h = (rotl((h + BigInt(bytes[p]!) * P5) % M, 11n) * P1) % M;
  h = ((h ^ (h >> 15n)) * P2) % M;
  h = ((h ^ (h >> 13n)) * P3) % M;
  return Number(h ^ (h >> 16n));
}

const u32 = (x: number) => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24];

interface FrameOptions {
  contentSize?: boolean;
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  /** Bytes a block holds (the frame's blocks are linked: matches reach into the ones before). */
  blockBytes?: number;
  /** Blocks stored as they are rather than compressed. */
  stored?: boolean;
}

/** An LZ4 frame of `data`, its checksums made by xxh32 above. */
function encodeFrame(data: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const header: number[] = [0x40 | (options.blockChecksum ? 0x10 : 0) | (options.contentSize ? 0x08 : 0) | (options.contentChecksum ? 0x04 : 0), 4 << 4]; // blocks of at most 64 KiB
  if (options.contentSize) for (let k = 0; k < 8; k++) header.push(Math.floor(data.length / 2 ** (8 * k)) % 256);
  const out: number[] = [0x04, 0x22, 0x4d, 0x18, ...header, (xxh32(Uint8Array.from(header)) >>> 8) & 255];
  const step = options.blockBytes ?? 65536;
  for (let at = 0; at < data.length; at += step) {
    const chunk = data.subarray(at, at + step);
    const block = options.stored ? chunk : encodeBlock(chunk, data.subarray(Math.max(0, at - 65535), at));
    out.push(...u32(block.length | (options.stored ? 0x80000000 : 0)), ...block);
    if (options.blockChecksum) out.push(...u32(xxh32(block)));
  }
  out.push(0, 0, 0, 0);
  if (options.contentChecksum) out.push(...u32(xxh32(data)));
  return Uint8Array.from(out);
}

/** Hadoop's framing: each block with its sizes, big-endian. */
function hadoop(data: Uint8Array, blockBytes: number): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < data.length; at += blockBytes) {
    const chunk = data.subarray(at, at + blockBytes);
    const block = encodeBlock(chunk);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(chunk.length, 0);
    header.writeUInt32BE(block.length, 4);
    out.push(...header, ...block);
  }
  return Uint8Array.from(out);
}

/** Text with repeats near and far, runs of one byte (overlapping matches), and long literals. */
const sample = Buffer.from(
  Array.from({ length: 400 }, (_, i) => (i % 9 === 0 ? 'x'.repeat(40) : `${i % 17},${(i * 0.37).toFixed(2)};${String.fromCharCode(65 + ((i * 7) % 26)).repeat(i % 5)}`)).join('') +
    Array.from({ length: 300 }, (_, i) => String.fromCharCode(33 + ((i * i * 31) % 90))).join(''),
);

const bytes = fc.uint8Array({ maxLength: 600 }).chain((random) => fc.constantFrom(random, Uint8Array.from([...random, ...random, ...random.subarray(0, 50)])));

describe('lz4Block', () => {
  it('decodes the encoder\'s blocks to their bytes, as hyparquet-compressors does: literals over 15 and 270, matches overlapping and not, over 19', () => {
    const block = encodeBlock(sample);
    const out = new Uint8Array(sample.length);
    expect(lz4Block(block, 0, block.length, out, 0)).toBe(sample.length);
    expect(Buffer.from(out).equals(sample)).toBe(true);
    expect(Buffer.from(decompressLz4Raw(block, sample.length)).equals(sample)).toBe(true);
  });

  it('fast-check: any bytes, repeated or not', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        const block = encodeBlock(data);
        const out = new Uint8Array(data.length);
        expect(lz4Block(block, 0, block.length, out, 0)).toBe(data.length);
        expect(Array.from(out)).toEqual(Array.from(data));
        if (data.length > 0) expect(Array.from(decompressLz4Raw(block, data.length))).toEqual(Array.from(data));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a match from before the output, output past the room given, and a truncated block', () => {
    const block = encodeBlock(sample);
    expect(() => lz4Block(block, 0, block.length, new Uint8Array(sample.length - 1), 0)).toThrow(/output longer than expected/);
    expect(() => lz4Block(Uint8Array.from([0x10, 65, 9, 0, 0]), 0, 5, new Uint8Array(100), 0)).toThrow(/before the start of the output/);
    expect(() => lz4Block(block, 0, 30, new Uint8Array(sample.length), 0)).toThrow(/past the end of/);
  });
});

describe('lz4Hadoop (Parquet\'s LZ4)', () => {
  it('Hadoop\'s framing of several blocks, and a bare block: the bytes, as hyparquet-compressors reads them', () => {
    for (const input of [hadoop(sample, 1000), hadoop(sample, sample.length), encodeBlock(sample)]) {
      expect(Buffer.from(lz4Hadoop(input, new Uint8Array(sample.length))).equals(sample)).toBe(true);
      expect(Buffer.from(decompressLz4(input, sample.length)).equals(sample)).toBe(true);
    }
  });

  it('a page in the frame format (what older arrow-rs wrote), as arrow-rs reads it', () => {
    expect(Buffer.from(lz4Hadoop(encodeFrame(sample, { blockChecksum: true }), new Uint8Array(sample.length))).equals(sample)).toBe(true);
  });
});

describe('lz4Frames (Arrow\'s LZ4_FRAME)', () => {
  it.each<[string, FrameOptions]>([
    ['plain', {}],
    ['with its content size, block and content checksums (Polars writes block checksums)', { contentSize: true, blockChecksum: true, contentChecksum: true }],
    ['linked blocks of 1000 bytes: matches reach into the blocks before', { blockBytes: 1000 }],
    ['blocks stored as they are', { stored: true, blockBytes: 700 }],
  ])('%s', (_name, options) => {
    const frame = encodeFrame(sample, options);
    expect(Buffer.from(lz4Frames(frame)).equals(sample)).toBe(true);
  });

  it('frames one after the other, a skippable frame between them, an empty frame', () => {
    const skippable = [0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
    const both = Uint8Array.from([...encodeFrame(sample.subarray(0, 500)), ...skippable, ...encodeFrame(new Uint8Array(0)), ...encodeFrame(sample.subarray(500), { blockChecksum: true })]);
    expect(Buffer.from(lz4Frames(both)).equals(sample)).toBe(true);
  });

  it('with the length its container says (Arrow\'s buffers): exactly that memory; another length fails', () => {
    const frame = encodeFrame(sample, { blockBytes: 1000 });
    const out = lz4Frames(frame, sample.length);
    expect(out.buffer.byteLength).toBe(sample.length);
    expect(Buffer.from(out).equals(sample)).toBe(true);
    expect(() => lz4Frames(frame, sample.length - 1)).toThrow(/output longer than expected/);
    expect(() => lz4Frames(frame, sample.length + 1)).toThrow(/where .* were expected/);
  });

  it('keeps no more memory than its content when it grew', () => {
    const tiny = lz4Frames(encodeFrame(sample.subarray(0, 24)));
    expect(tiny.buffer.byteLength).toBe(24);
  });

  it.each<[string, FrameOptions, (frame: Uint8Array) => void, RegExp]>([
    ['a bit flipped in a block with a checksum', { blockChecksum: true }, (f) => void (f[f.length - 40]! ^= 1), /block checksum mismatch/],
    ['a bit flipped in a literal, only the content checksummed', { contentChecksum: true, stored: true }, (f) => void (f[30]! ^= 1), /content checksum mismatch/],
    ['the header changed (its checksum no longer its own)', {}, (f) => void (f[5]! = 5 << 4), /header checksum mismatch/],
    ['a content size that is not the content\'s', { contentSize: true }, (f) => {
      f[6]! += 1;
      f[14] = (xxh32(f.subarray(4, 14)) >>> 8) & 255;
    }, /says it holds/],
  ])('checks its checksums and sizes: %s', (_name, options, damage, error) => {
    const frame = Uint8Array.from(encodeFrame(sample, options));
    damage(frame);
    expect(() => lz4Frames(frame)).toThrow(error);
  });

  it('refuses what is not a frame it reads: another magic number, version, a dictionary, a truncated frame', () => {
    const frame = encodeFrame(sample);
    expect(() => lz4Frames(Uint8Array.from([1, 2, 3, 4, ...frame.subarray(4)]))).toThrow(/not an LZ4 frame/);
    const version = Uint8Array.from(frame);
    version[4] = 0x80;
    expect(() => lz4Frames(version)).toThrow(/frame version 2/);
    const dictionary = Uint8Array.from(frame);
    dictionary[4]! |= 1;
    expect(() => lz4Frames(dictionary)).toThrow(/dictionary/);
    expect(() => lz4Frames(frame.subarray(0, frame.length - 2))).toThrow(/truncated|past the end/);
    const reserved = Uint8Array.from(frame);
    reserved[5]! |= 1;
    expect(() => lz4Frames(reserved)).toThrow(/reserved bits/);
    expect(() => lz4Frames(Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 9, 0, 0, 0, 1]))).toThrow(/truncated skippable frame/);
  });

  it('refuses a block larger than the frame says its blocks are, and a block that ends with a match', () => {
    const big = Uint8Array.from(encodeFrame(new Uint8Array(70_000).fill(7), { stored: true, blockBytes: 70_000 }));
    big[6] = (xxh32(big.subarray(4, 6)) >>> 8) & 255;
    expect(() => lz4Frames(big)).toThrow(/a block of 70000 bytes/);
    // Literals "abcd", then a match of 4 at offset 4, and nothing after it.
    expect(() => lz4Block(Uint8Array.from([0x40, 97, 98, 99, 100, 4, 0]), 0, 7, new Uint8Array(8), 0)).toThrow(/ends with a match/);
  });
});

describe('xxhash32', () => {
  it.each([
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['abc', 0x32d153ff],
    ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ])('%j: the specification\'s value', (text, value) => {
    expect(xxhash32(new TextEncoder().encode(text))).toBe(value);
  });

  it('fast-check: the same as the BigInt implementation above, any bytes and any slice', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (bytes, cut) => {
        const start = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(xxhash32(bytes, start)).toBe(xxh32(bytes.subarray(start)));
      }),
      { numRuns: 300 },
    );
  });
});
