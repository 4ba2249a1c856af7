/**
 * src/io/parquet-hybrid.ts: the RLE / bit-packed hybrid decoder, against the values an encoder
 * written here put in (from the format's description, sharing no code with the decoder), and
 * against hyparquet's own decoder where that one works (widths up to 24 bits).
 */
import fc from 'fast-check';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { countHybrid, readHybrid } from '../../src/io/parquet-hybrid.js';

type Run = { kind: 'rle'; value: number; count: number } | { kind: 'packed'; values: number[] };

function varint(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const low = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) return [...out, low];
    out.push(low | 0x80);
  }
}

/** The runs encoded at `width` bits, and the values they hold (a packed run's padding left out). */
function encode(runs: Run[], width: number): { bytes: Uint8Array; values: number[] } {
  const bytes: number[] = [];
  const values: number[] = [];
  for (const run of runs) {
    if (run.kind === 'rle') {
      bytes.push(...varint(run.count * 2));
      for (let k = 0; k < (width + 7) >> 3; k++) bytes.push(Math.floor(run.value / 2 ** (8 * k)) % 256);
      for (let k = 0; k < run.count; k++) values.push(run.value);
    } else {
      const groups = Math.ceil(run.values.length / 8);
      bytes.push(...varint(groups * 2 + 1));
      const bits: number[] = [];
      for (let k = 0; k < groups * 8; k++) {
        const v = run.values[k] ?? 0;
        for (let b = 0; b < width; b++) bits.push(Math.floor(v / 2 ** b) % 2);
      }
      for (let k = 0; k < bits.length; k += 8) bytes.push(bits.slice(k, k + 8).reduce((byte, bit, b) => byte | (bit << b), 0));
      values.push(...run.values);
      // Only the last run may end with padding that is not a value: the others are whole groups.
      for (let k = run.values.length; k < groups * 8 && run !== runs[runs.length - 1]; k++) values.push(0);
    }
  }
  return { bytes: Uint8Array.from(bytes), values };
}

const runsOf = (width: number) => {
  const value = width === 0 ? fc.constant(0) : fc.integer({ min: 0, max: 2 ** width - 1 });
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('rle' as const), value, count: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ kind: fc.constant('packed' as const), values: fc.array(value, { minLength: 1, maxLength: 70 }) }),
    ),
    { minLength: 1, maxLength: 12 },
  );
};

describe('readHybrid', () => {
  it('decodes every width from 0 to 32 bits to the values encoded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }).chain((width) => fc.tuple(fc.constant(width), runsOf(width))),
        ([width, runs]) => {
          const { bytes, values } = encode(runs, width);
          const out = new Int32Array(values.length);
          readHybrid(bytes, 0, bytes.length, width, out);
          expect(Array.from(out)).toEqual(values.map((v) => v | 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees with hyparquet’s decoder, into bytes (levels) and 32-bit integers (indices), from an offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }).chain((width) => fc.tuple(fc.constant(width), runsOf(width), fc.integer({ min: 0, max: 5 }))),
        ([width, runs, skip]) => {
          const { bytes: encoded, values } = encode(runs, width);
          const bytes = new Uint8Array(skip + encoded.length);
          bytes.set(encoded, skip);
          const theirs = new Array<number>(values.length);
          readRleBitPackedHybrid({ view: new DataView(bytes.buffer), offset: skip }, width, theirs, encoded.length);
          const ours = new Int32Array(values.length);
          readHybrid(bytes, skip, bytes.length, width, ours);
          expect(Array.from(ours)).toEqual(theirs);
          if (width <= 8) {
            const levels = new Uint8Array(values.length);
            readHybrid(bytes, skip, bytes.length, width, levels);
            expect(Array.from(levels)).toEqual(theirs);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fills only the values asked for: the padding of a last bit-packed group is left alone', () => {
    const { bytes } = encode([{ kind: 'packed', values: [1, 2, 3] }], 2);
    const out = new Int32Array(3);
    readHybrid(bytes, 0, bytes.length, 2, out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  it('refuses runs that end before the values asked for, and a width past 32 bits', () => {
    const { bytes } = encode([{ kind: 'rle', value: 5, count: 10 }], 3);
    expect(() => readHybrid(bytes, 0, bytes.length, 3, new Int32Array(11))).toThrow(/past the end of its page/);
    const packed = encode([{ kind: 'packed', values: [1, 2, 3, 4, 5, 6, 7, 1] }], 3).bytes;
    expect(() => readHybrid(packed, 0, packed.length - 1, 3, new Int32Array(8))).toThrow(/bit-packed run past the end/);
    expect(() => readHybrid(bytes, 0, 1, 3, new Int32Array(10))).toThrow(/RLE run past the end/);
    expect(() => readHybrid(bytes, 0, bytes.length, 33, new Int32Array(1))).toThrow(/bit width 33/);
  });
});

describe('countHybrid', () => {
  const scratch = new Int32Array(8);
  const count = (bytes: Uint8Array, width: number, n: number, target: number) => countHybrid(bytes, 0, bytes.length, width, n, target, scratch);

  it('counts the values equal to a target as the encoder put them in: every width, any target, a count short of the runs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }).chain((width) => fc.tuple(fc.constant(width), runsOf(width), fc.nat(), fc.nat())),
        ([width, runs, pick, cut]) => {
          const { bytes, values } = encode(runs, width);
          const n = values.length - (cut % Math.min(values.length, 9));
          const target = values[pick % values.length]!;
          expect(count(bytes, width, n, target)).toBe(values.slice(0, n).filter((v) => v === target).length);
          expect(count(bytes, width, n, width === 32 ? 1 : 2 ** width)).toBe(values.slice(0, n).filter((v) => v === (width === 32 ? 1 : 2 ** width)).length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('one-bit levels: a page all present (a repeated run, or packed ones), and a packed run with a missing value in its padded last group', () => {
    expect(count(encode([{ kind: 'rle', value: 1, count: 1000 }], 1).bytes, 1, 1000, 1)).toBe(1000);
    expect(count(encode([{ kind: 'packed', values: Array<number>(21).fill(1) }], 1).bytes, 1, 21, 1)).toBe(21);
    const { bytes } = encode([{ kind: 'packed', values: [...Array<number>(20).fill(1), 0] }], 1);
    expect(count(bytes, 1, 21, 1)).toBe(20);
    expect(count(bytes, 1, 21, 0)).toBe(1);
    // The padding past the 21st value is not counted, whatever its bits.
    const padded = Uint8Array.from(bytes);
    padded[padded.length - 1]! |= 0xe0;
    expect(count(padded, 1, 21, 1)).toBe(20);
  });

  it('refuses what readHybrid refuses', () => {
    const { bytes } = encode([{ kind: 'rle', value: 5, count: 10 }], 3);
    expect(() => count(bytes, 3, 11, 5)).toThrow(/past the end of its page/);
    const packed = encode([{ kind: 'packed', values: [1, 0, 1, 1, 0, 1, 1, 1] }], 1).bytes;
    expect(() => countHybrid(packed, 0, packed.length - 1, 1, 8, 1, scratch)).toThrow(/bit-packed run past the end/);
    expect(() => count(bytes, 33, 1, 0)).toThrow(/bit width 33/);
  });
});
