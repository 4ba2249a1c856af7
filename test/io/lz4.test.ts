/**
 * src/io/lz4.ts against bytes an encoder written here makes from the formats' descriptions
 * (sharing no code with the decoder: matches found by plain search), and against
 * hyparquet-compressors' decoder (a devDependency) on Parquet's two framings.
 */
import fc from 'fast-check';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';
import { describe, expect, it } from 'vitest';
import { lz4Block, lz4Frames, lz4Hadoop } from '../../src/io/lz4.js';

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

interface FrameOptions {
  contentSize?: boolean;
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  /** Bytes a block holds (the frame's blocks are linked: matches reach into the ones before). */
  blockBytes?: number;
  /** Blocks stored as they are rather than compressed. */
  stored?: boolean;
}

/** An LZ4 frame of `data` (checksums written as zeros: the decoder does not check them). */
function encodeFrame(data: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const out: number[] = [0x04, 0x22, 0x4d, 0x18];
  out.push(0x40 | (options.blockChecksum ? 0x10 : 0) | (options.contentSize ? 0x08 : 0) | (options.contentChecksum ? 0x04 : 0));
  out.push(4 << 4); // blocks of at most 64 KiB
  if (options.contentSize) for (let k = 0; k < 8; k++) out.push(Math.floor(data.length / 2 ** (8 * k)) % 256);
  out.push(0); // the header checksum
  const step = options.blockBytes ?? 65536;
  for (let at = 0; at < data.length; at += step) {
    const chunk = data.subarray(at, at + step);
    const block = options.stored ? chunk : encodeBlock(chunk, data.subarray(Math.max(0, at - 65535), at));
    const size = block.length | (options.stored ? 0x80000000 : 0);
    out.push(size & 255, (size >>> 8) & 255, (size >>> 16) & 255, size >>> 24, ...block);
    if (options.blockChecksum) out.push(0, 0, 0, 0);
  }
  out.push(0, 0, 0, 0);
  if (options.contentChecksum) out.push(0, 0, 0, 0);
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
  });
});
