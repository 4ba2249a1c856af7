/**
 * NumberRows (WebAssembly) against the JavaScript it mirrors: its tryWriteShortest must give
 * ./shortest-number.ts's bytes, or refuse where that refuses, on every kind of double (and those
 * bytes are String(x): the JavaScript's own test holds that). Then whole rows: the bytes of
 * CsvBytesWriter.numberAt cell by cell, with String(x) where the module calls back, and a stop
 * before the slice that holds a missing cell.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvBytesWriter } from '../../../src/io/fast/csv-bytes-writer.js';
import { NumberRows } from '../../../src/io/fast/number-rows.js';
import { tryWriteShortest } from '../../../src/io/fast/shortest-number.js';
import { seededRandom } from '../../helpers/exact.js';
import { doubleFromBits, seededDoubles } from '../../helpers/doubles.js';

const SEED = 20261207;
const buffer = Buffer.alloc(64);

/** The JavaScript's text, or undefined where it refuses. */
function javascript(x: number): string | undefined {
  const end = tryWriteShortest(x, buffer, 0);
  return end < 0 ? undefined : buffer.toString('latin1', 0, end);
}

function module(x: number): string | undefined {
  return NumberRows.of(3).tryWrite(x)?.toString('latin1');
}

/** The doubles where the two differ (text or refusal), and how many the module decided. */
function compare(values: Iterable<number>): { differ: string[]; decided: number } {
  const differ: string[] = [];
  let decided = 0;
  for (const x of values) {
    const a = module(x);
    if (a !== undefined) decided++;
    if (a !== javascript(x)) differ.push(`${String(x)}: ${a} against ${javascript(x)}`);
  }
  return { differ, decided };
}

const seeded = (count: number, make: (random: () => number) => number) => seededDoubles(SEED, count, make);

describe('NumberRows.tryWrite = tryWriteShortest of shortest-number.ts', () => {
  it.each([0, -0, 1, -1, 0.1, -2.1333973324454254, 1e21, 1e-7, 0.000001, 1e22, 1e23, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 1e300, 0.30000000000000004, 999999999999999900000, -3.25191497802734375])('%d', (x) => {
    expect(module(x)).toBe(javascript(x));
  });

  it('each power of two and of ten, and their neighbours', () => {
    const values: number[] = [];
    for (let k = -1074; k <= 1023; k++) values.push(2 ** k, -(2 ** k), 2 ** k * (1 + Number.EPSILON), 2 ** k * (1 - Number.EPSILON / 2));
    for (let e = -330; e <= 310; e++) {
      for (const m of ['1', '2', '5', '9.999999999999999', '1.0000000000000002']) {
        const x = Number(`${m}e${e}`);
        if (Number.isFinite(x) && x !== 0) values.push(x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON / 2));
      }
    }
    expect(compare(values).differ).toEqual([]);
  });

  it('200,000 doubles from random bits, 200,000 normalized-looking values, 100,000 dyadic ties and short decimals', () => {
    const full = (random: () => number) => random() + random() * 2 ** -32;
    expect(compare(seeded(200_000, doubleFromBits)).differ).toEqual([]);
    const normalized = compare(seeded(200_000, (random) => (full(random) - 0.5) * 2 ** (Math.floor(random() * 12) - 6)));
    expect(normalized.differ).toEqual([]);
    expect(normalized.decided).toBe(200_000);
    expect(compare(seeded(100_000, (random) => (random() - 0.5) * 2 ** (Math.floor(random() * 12) - 6))).differ).toEqual([]);
    const short = seeded(100_000, (random) => Number(`${Math.floor(random() * 10 ** (1 + Math.floor(random() * 15)))}e${Math.floor(random() * 60) - 30}`));
    expect(compare(short).differ).toEqual([]);
  });

  it('fast-check: any double, and doubles in the range of normalized data', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => module(x) === javascript(x)), { numRuns: 50_000, seed: SEED });
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => module(x) === javascript(x)), { numRuns: 50_000, seed: SEED + 1 });
  });
});

describe('NumberRows.write', () => {
  /** What the JavaScript writer makes of rows [from, rows): numberAt cell by cell. */
  function cellByCell(columns: Float64Array[], from: number, rows: number, delimiter: number): string {
    const out = new CsvBytesWriter(delimiter);
    for (let i = from; i < rows; i++) {
      columns.forEach((column, j) => {
        if (j > 0) out.delimiterByte();
        out.numberAt(column, i);
      });
      out.newline();
    }
    return out.bytes().toString('latin1');
  }

  it('rows of numbers (String(x) where the module calls back): the JavaScript writer\'s bytes, from any row, across its slices', () => {
    const random = seededRandom(7);
    const width = 5;
    const rows = 3 * NumberRows.of(width).rowRoom + 17;
    const columns = Array.from({ length: width }, (_, j) =>
      Float64Array.from({ length: rows }, (_, i) => (j === 0 ? i : j === 1 ? (random() - 0.5) * 2 ** -20 : j === 2 ? 5e-324 * i : j === 3 ? (random() - 0.5) * 2 ** ((i % 40) - 20) : -0)),
    );
    for (const from of [0, 1, NumberRows.of(width).rowRoom + 3]) {
      for (const delimiter of [0x2c, 0x09]) {
        const out = new CsvBytesWriter(delimiter);
        expect(NumberRows.of(width).write(out, columns, from, rows)).toBe(rows);
        expect(out.bytes().toString('latin1')).toBe(cellByCell(columns, from, rows, delimiter));
      }
    }
  });

  it('stops before the slice that holds a missing cell, having written the slices before it', () => {
    const width = 2;
    const room = NumberRows.of(width).rowRoom;
    const rows = 3 * room;
    const columns = [Float64Array.from({ length: rows }, (_, i) => i / 3), Float64Array.from({ length: rows }, (_, i) => -i)];
    columns[1]![room + 5] = Number.NaN;
    const out = new CsvBytesWriter(0x2c);
    expect(NumberRows.of(width).write(out, columns, 0, rows)).toBe(room);
    expect(out.bytes().toString('latin1')).toBe(cellByCell(columns, 0, room, 0x2c));
  });
});
