/**
 * src/io/snappy.ts against an independent pair: hyparquet-writer's compressor makes the streams
 * and hyparquet's own decoder (the one bn used before) decodes them too; both outputs must be
 * the input, byte for byte. Corrupt streams must fail, or decode as hyparquet decodes them.
 */
import { Buffer } from 'node:buffer';
import { snappyUncompress as hyparquetUncompress } from 'hyparquet';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snappyUncompress } from '../../src/io/snappy.js';

function decode(compressed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  snappyUncompress(compressed, out);
  return out;
}

function reference(compressed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  hyparquetUncompress(compressed, out);
  return out;
}

/** Bytes with repeats near and far (copies of every kind) and runs (overlapping copies). */
const repetitive = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.record({ byte: fc.integer({ min: 0, max: 255 }), run: fc.integer({ min: 1, max: 200 }) }).map(({ byte, run }) => new Uint8Array(run).fill(byte)),
      fc.integer({ min: 0, max: 3 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => {
    const out: number[] = [];
    for (const part of parts) {
      // A number: repeat an earlier stretch (a back reference for the compressor).
      if (typeof part === 'number') out.push(...out.slice(Math.max(0, out.length - 64 * (part + 1)), out.length - 32 * part));
      else out.push(...part);
    }
    return Uint8Array.from(out);
  });

describe('snappyUncompress', () => {
  it('decodes what hyparquet-writer compresses, as hyparquet does', () => {
    fc.assert(
      fc.property(repetitive, (input) => {
        const compressed = snappyCompress(input);
        expect(decode(compressed, input.length)).toEqual(input);
        expect(reference(compressed, input.length)).toEqual(input);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('decodes a page of doubles like the bench file (short literals and copies), and a long one', () => {
    const values = new Float64Array(20_000);
    let seed = 7;
    for (let i = 0; i < values.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      values[i] = Number(((seed / 2 ** 32) * 100 - 50).toFixed(2));
    }
    const bytes = new Uint8Array(values.buffer);
    // Buffer.equals: vitest's deep equality takes seconds over arrays this long.
    expect(Buffer.from(decode(snappyCompress(bytes), bytes.length)).equals(bytes)).toBe(true);
    const big = new Uint8Array(300_000).map((_, i) => (i * 2654435761) >>> 24);
    expect(Buffer.from(decode(snappyCompress(big), big.length)).equals(big)).toBe(true);
  });

  it.each([
    ['a literal with a 4-byte length, then a copy with a 4-byte offset', [11, 63 << 2, 4, 0, 0, 0, 1, 2, 3, 4, 5, 3 | (5 << 2), 5, 0, 0, 0]],
    ['a run: a copy overlapping itself (offset 1)', [20, 0, 9, 1 | (7 << 2), 1, 1 | (4 << 2), 1]],
    ['a copy of offset 2 longer than 16 bytes', [30, 4, 1, 2, 2 | (27 << 2), 2, 0]],
  ])('%s', (_, stream) => {
    const compressed = Uint8Array.from(stream);
    const length = compressed[0]!;
    expect(decode(compressed, length)).toEqual(reference(compressed, length));
  });

  it.each([
    ['no length header', []],
    ['a declared length other than the page', [5, 16, 1, 2, 3, 4, 5]],
    ['a literal past the end of input', [6, 5 << 2, 1, 2]],
    ['a copy from before the start', [6, 4, 1, 2, 1 | (0 << 2), 9]],
    ['a copy past the end of output', [6, 4, 1, 2, 1 | (4 << 2), 2]],
    ['a copy with offset 0', [6, 4, 1, 2, 1 | (0 << 2), 0]],
    ['fewer bytes than declared', [6, 4, 1, 2]],
  ])('fails on %s', (_, stream) => {
    expect(() => decode(Uint8Array.from(stream), 6)).toThrow(/snappy/);
  });

  // Each refusal names what is wrong (streams by the format: a tag, its length or offset bytes).
  it.each<[string, number[], number]>([
    ['literal length past the end of input', [5, 62 << 2, 1, 2], 5],
    ['literal past the end of input', [5, 63 << 2, 4, 0, 0, 1, 1, 2, 3, 4, 5], 5],
    ['literal past the end of output', [3, 4 << 2, 1, 2, 3, 4, 5], 3],
    ['copy past the end of input', [8, 4 << 2, 1, 2, 3, 4, 5, 3 | (2 << 2), 5, 0, 0], 8],
    ['copy from before the start of output', [8, 4 << 2, 1, 2, 3, 4, 5, 3 | (2 << 2), 5, 0, 1, 0], 8],
    ['copy past the end of output', [6, 4 << 2, 1, 2, 3, 4, 5, 1, 1], 6],
    ['premature end of input', [6, 4, 1, 2], 6],
  ])('says "snappy: %s"', (message, stream, length) => {
    expect(() => decode(Uint8Array.from(stream), length)).toThrow(`snappy: ${message}`);
  });

  it('fails on a corrupted stream, or decodes it as hyparquet does', () => {
    fc.assert(
      fc.property(repetitive, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (input, flips) => {
        const compressed = snappyCompress(input).slice();
        for (const [at, byte] of flips) compressed[at % compressed.length] = byte;
        let ours: Uint8Array | undefined;
        try {
          ours = decode(compressed, input.length);
        } catch {
          return;
        }
        expect(ours).toEqual(reference(compressed, input.length));
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
