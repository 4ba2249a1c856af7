/**
 * writeShortestNumber against the reference it must equal byte for byte: `String(x)` (V8's
 * shortest round-trip, closest-digits conversion). tryWriteShortest is the fast part; where it
 * declines (−1) the writer falls back to String(x) itself, so these tests also check that it
 * declines rarely — a writer that always declined would pass the equality tests and be useless.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tryWriteShortest, tryWriteShortestAt, writeShortestNumber, writeShortestNumberAt } from '../../../src/io/fast/shortest-number.js';
import { seededRandom } from '../../helpers/exact.js';
import { doubleFromBits, seededDoubles } from '../../helpers/doubles.js';

const SEED = 20241127;
const buffer = Buffer.alloc(64);

function written(x: number): string {
  // From an offset, with junk around, so positions are exercised.
  buffer.fill(0x78);
  const end = writeShortestNumber(x, buffer, 3);
  return buffer.toString('latin1', 3, end);
}

/** The fast part alone: its text, or undefined where it declines. */
function decided(x: number): string | undefined {
  const end = tryWriteShortest(x, buffer, 0);
  return end < 0 ? undefined : buffer.toString('latin1', 0, end);
}

/** Every x that differs from String(x), and how many the fast part declined. */
function compare(values: Iterable<number>): { wrong: string[]; declined: number; count: number } {
  const wrong: string[] = [];
  let declined = 0;
  let count = 0;
  for (const x of values) {
    count++;
    const fast = decided(x);
    if (fast === undefined) declined++;
    else if (fast !== String(x)) wrong.push(`${String(x)} written as ${fast}`);
    if (written(x) !== String(x)) wrong.push(`${String(x)} written (with fallback) as ${written(x)}`);
  }
  return { wrong, declined, count };
}

const seeded = (count: number, make: (random: () => number) => number) => seededDoubles(SEED, count, make);

describe('writeShortestNumber: named cases', () => {
  it.each([
    [0, '0'], [-0, '0'], [1, '1'], [-1, '-1'], [0.1, '0.1'], [-2.1333973324454254, '-2.1333973324454254'],
    [0.30000000000000004, '0.30000000000000004'], [123456789, '123456789'], [1e21, '1e+21'],
    [999999999999999900000, '999999999999999900000'], [1e-7, '1e-7'], [0.000001, '0.000001'],
    [1.5e-7, '1.5e-7'], [0.0000015, '0.0000015'], [1e22, '1e+22'], [1e23, '1e+23'],
    [2 ** 53, '9007199254740992'], [2 ** 53 + 2, '9007199254740994'], [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [Number.EPSILON, '2.220446049250313e-16'], [Math.PI, '3.141592653589793'], [-Math.E * 1e-5, '-0.000027182818284590452'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'], [Number.MIN_VALUE, '5e-324'], [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [9.999999999999997e22, '9.999999999999997e+22'], [1.0000000000000002, '1.0000000000000002'], [0.9999999999999999, '0.9999999999999999'],
  ])('%d is written %s', (x, text) => {
    expect(String(x)).toBe(text); // the reference itself, as spelled here
    expect(written(x)).toBe(text);
  });

  it('a number needs at most 25 bytes and touches at most 26 (the room CsvBytesWriter keeps)', () => {
    for (const x of [-0.0000012345678901234567, -1.2345678901234567e-100, -1.2345678901234567e300]) {
      buffer.fill(0x78);
      const end = writeShortestNumber(x, buffer, 0);
      expect(end).toBeLessThanOrEqual(25);
      expect(buffer.subarray(26).every((b) => b === 0x78)).toBe(true);
    }
  });

  it('declines what it cannot place (beyond its tables) and the fallback writes it', () => {
    expect(decided(5e-324)).toBeUndefined();
    expect(decided(1e300)).toBeUndefined();
    expect(written(5e-324)).toBe('5e-324');
    expect(written(-1e300)).toBe('-1e+300');
  });
});

describe('writeShortestNumber: every kind of double', () => {
  it('each power of two, and its neighbours, from 2^-1074 to 2^1023', () => {
    const values: number[] = [];
    for (let k = -1074; k <= 1023; k++) {
      const x = 2 ** k;
      values.push(x, -x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON / 2));
    }
    const { wrong } = compare(values);
    expect(wrong).toEqual([]);
  });

  it('each power of ten from 1e-330 to 1e310 times 1, 2, 5, 9.999999999999999, 1.0000000000000002, and the neighbours of each', () => {
    const values: number[] = [];
    for (let e = -330; e <= 310; e++) {
      for (const m of ['1', '2', '5', '9.999999999999999', '1.0000000000000002']) {
        const x = Number(`${m}e${e}`);
        if (!Number.isFinite(x) || x === 0) continue;
        values.push(x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON / 2));
      }
    }
    const { wrong } = compare(values);
    expect(wrong).toEqual([]);
  });

  it('300,000 doubles from random bits (every exponent)', () => {
    const { wrong, declined, count } = compare(seeded(300_000, doubleFromBits));
    expect(wrong).toEqual([]);
    // Declined: mostly the ~9% beyond its tables (|x| < 1e-284 or > 1e284).
    expect(declined / count).toBeLessThan(0.12);
  });

  it('normalized-looking values (what bn writes: full 53-bit results): 300,000, all decided', () => {
    const full = (random: () => number) => random() + random() * 2 ** -32;
    const { wrong, declined } = compare(seeded(300_000, (random) => (full(random) - 0.5) * 2 ** (Math.floor(random() * 12) - 6)));
    expect(wrong).toEqual([]);
    expect(declined).toBe(0);
  });

  it('dyadic values with short expansions: exact ties are declined, and the fallback writes them', () => {
    // (u − 0.5)·2^k with a 32-bit u: e.g. -3.25191497802734375 is a tie at 17 digits (String: …438).
    const { wrong, declined, count } = compare(seeded(100_000, (random) => (random() - 0.5) * 2 ** (Math.floor(random() * 12) - 6)));
    expect(wrong).toEqual([]);
    expect(declined).toBeGreaterThan(0);
    expect(declined / count).toBeLessThan(0.01);
  });

  it('numbers with 1 to 17 significant digits, read from text (short outputs, trailing zeros, integers)', () => {
    const values = seeded(200_000, (random) => {
      const digits = 1 + Math.floor(random() * 17);
      const mantissa = Math.floor(random() * 10 ** Math.min(digits, 15)) * 10 ** Math.max(0, digits - 15);
      return Number(`${random() < 0.5 ? '-' : ''}${mantissa}e${Math.floor(random() * 60) - 30}`);
    });
    const { wrong, declined, count } = compare(values);
    expect(wrong).toEqual([]);
    // Declined: a shortest candidate exactly on an end of the interval (5.21e21 is the midpoint
    // between two doubles and reads back as the even one), common among large round numbers.
    expect(declined / count).toBeLessThan(0.01);
  });

  it('fast-check: any double (seeded)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => written(x) === String(x)),
      { numRuns: 100_000, seed: SEED },
    );
  });

  it('fast-check: doubles in the range of normalized data, and their neighbours', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -2, max: 2 }), (x, step) => {
        const y = x * (1 + step * Number.EPSILON);
        return written(y) === String(y);
      }),
      { numRuns: 100_000, seed: SEED + 1 },
    );
  });
});

describe('the array forms (numbers read from their column, not passed boxed)', () => {
  it('write what the single-number forms write, String(x) included, at any index', () => {
    const random = seededRandom(0xa77a);
    const values = Float64Array.from({ length: 4000 }, (_, i) => (i % 7 === 0 ? Number((random() * 10 ** (i % 40 - 20)).toPrecision(1 + (i % 17))) : (random() - 0.5) * 2 ** ((i % 200) - 100)));
    values[5] = 0;
    values[6] = -0;
    values[7] = 5e-324;
    values[8] = Number.MAX_VALUE;
    const a = Buffer.alloc(64);
    const b = Buffer.alloc(64);
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const n = writeShortestNumberAt(values, i, a, 3);
      expect(a.toString('latin1', 3, n)).toBe(String(x));
      expect(n).toBe(writeShortestNumber(x, b, 3));
      expect(tryWriteShortestAt(values, i, a, 0)).toBe(tryWriteShortest(x, b, 0));
    }
  });
});
