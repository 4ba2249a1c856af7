/**
 * ChunkSums (WebAssembly) against the JavaScript loops it mirrors (./exact-sum.ts): for every
 * chunk, the same measure (forEachChunk's, bit for bit), and where the two-accumulator pairs are
 * taken, parts that add up to exactly what the JavaScript's parts add up to (the module runs two
 * lanes of pairs, so each part may differ; their sum may not), or none where they leave the chunk
 * to the bins. Moments.addColumn, which uses it, is checked against exact rationals in
 * moments.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_VALUES, ChunkSums, COUNT, ERRORS_HIGH, ERRORS_LOW, LARGEST, MAX, MIN, SMALLEST, SQUARES_HIGH, SQUARES_LOW, SQUARES_TAKEN, SUM_HIGH, SUM_LOW, SUM_TAKEN } from '../../src/engine/chunk-sums.js';
import { CHUNK, ExactSquares, forEachChunk } from '../../src/engine/exact-sum.js';
import { doubleFromBits, seededDoubles } from '../helpers/doubles.js';
import { toDyadic } from '../helpers/exact.js';

/** The parts the JavaScript hands to addPart (none when it sums the chunk through the bins). */
class Parts extends ExactSquares {
  parts: number[] = [];
  override addPart(t: number): void {
    this.parts.push(t);
  }
}

/** The exact sum of some doubles, as text (mantissa·2^exponent over their lowest exponent). */
function exactly(parts: number[]): string {
  const dyadics = parts.map(toDyadic);
  let exponent = Math.min(...dyadics.map((d) => d.exp));
  let total = dyadics.reduce((sum, d) => sum + (d.mant << BigInt(d.exp - exponent)), 0n);
  if (total === 0n) return '0';
  // Trailing zero bits off: the same sum from parts of other binades reads the same.
  for (; (total & 1n) === 0n; exponent++) total >>= 1n;
  return `${total}p${exponent}`;
}

/** Each chunk as the JavaScript sees it: its measure, Σx's parts, Σx²'s parts. */
function javascript(values: Float64Array) {
  const chunks: (number | string)[][] = [];
  forEachChunk(values, values.length, (i, end, m) => {
    const sum = new Parts();
    const squares = new Parts();
    if (m.largest !== 0) {
      sum.addChunk(values, i, end, m.largest, m.smallest);
      squares.addSquaresChunk(values, i, end, m.largest, m.smallest);
    }
    chunks[i / CHUNK] = [m.min, m.max, m.count, m.largest, m.smallest, ...(sum.parts.length ? [exactly(sum.parts)] : []), ...(squares.parts.length ? [exactly(squares.parts)] : [])];
  });
  return chunks;
}

/** The same from the module's records (a chunk of missing values only: skipped, as forEachChunk skips it). */
function module(values: Float64Array) {
  const kernel = ChunkSums.get();
  const chunks: (number | string)[][] = [];
  for (let from = 0; from < values.length; from += CALL_VALUES) {
    const n = kernel.run(values, from, Math.min(CALL_VALUES, values.length - from));
    for (let c = 0; c < n; c++) {
      const r = kernel.records.subarray(c * kernel.record, (c + 1) * kernel.record);
      if (r[COUNT] === 0) continue;
      const parts: (number | string)[] = [r[MIN]!, r[MAX]!, r[COUNT]!, r[LARGEST]!, r[SMALLEST]!];
      if (r[LARGEST] !== 0 && r[SUM_TAKEN] === 1) parts.push(exactly([r[SUM_HIGH]!, r[SUM_LOW]!]));
      if (r[LARGEST] !== 0 && r[SQUARES_TAKEN] === 1) parts.push(exactly([r[SQUARES_HIGH]!, r[SQUARES_LOW]!, r[ERRORS_HIGH]!, r[ERRORS_LOW]!]));
      chunks[from / CHUNK + c] = parts;
    }
  }
  return chunks;
}

/** The two agree: measures bit for bit (Object.is: −0 and NaN as themselves), sums exactly. */
function same(values: Float64Array): void {
  const a = javascript(values);
  const b = module(values);
  expect(b.length).toBe(a.length);
  a.forEach((chunk, c) => {
    expect(b[c]).toBeDefined();
    expect(b[c]!.length, `chunk ${c}`).toBe(chunk.length);
    chunk.forEach((x, k) => expect(Object.is(b[c]![k], x), `chunk ${c}, slot ${k}: ${b[c]![k]} against ${x}`).toBe(true));
  });
}

describe('ChunkSums = the exact sums\' chunk loops', () => {
  it('data like the benchmark\'s: every chunk by the pairs, the same sums', () => {
    const values = Float64Array.from(seededDoubles(1, 5000, (random) => (random() - 0.5) * 2 ** (Math.floor(random() * 6) - 3)));
    same(values);
    expect(javascript(values).every((chunk) => chunk.length === 7)).toBe(true);
  });

  it.each([
    ['missing values among them, and a chunk of missing values only', (i: number) => (i % 3 === 0 || (i >= 512 && i < 1024) ? Number.NaN : i / 7)],
    ['zeros of both signs, and a chunk of zeros only', (i: number) => (i < 512 ? (i % 2 ? 0 : -0) : i % 5 === 0 ? -0 : i - 900)],
    // The module's two lanes each keep their first zero: which of the two came first decides.
    ['zeros of both signs in the two lanes, the odd one first', (i: number) => (i % 512 === 0 ? 5 : i % 2 ? -0 : 0)],
    ['zeros of both signs in the two lanes, the largest', (i: number) => (i % 512 === 0 ? -5 : i % 2 ? 0 : -0)],
    ['values 2^90 apart (Σx left to the bins)', (i: number) => (i % 2 ? 2 ** 60 : 2 ** -30) * (i % 3 ? 1 : -1)],
    ['values 2^20 apart (Σx by the pair, Σx² by the bins)', (i: number) => (i % 2 ? 2 ** 10 : 2 ** -10) + i],
    ['huge values (Σx² beyond the split: value by value)', (i: number) => 2 ** 500 * (1 + i / 1000)],
    ['tiny values (subnormal squares)', (i: number) => 2 ** -500 * (1 + i / 1000)],
    ['subnormals', (i: number) => 5e-324 * (i + 1)],
    ['the largest doubles', (i: number) => Number.MAX_VALUE * (i % 2 ? 1 : -0.5)],
    ['an infinity', (i: number) => (i === 700 ? Number.POSITIVE_INFINITY : i)],
  ])('%s', (_name, make) => {
    // 1701: a last chunk of odd length (the module's lanes take values two at a time).
    same(Float64Array.from({ length: 1701 }, (_, i) => make(i)));
  });

  it('longer than one call (chunks across calls), and a short tail', () => {
    same(Float64Array.from(seededDoubles(2, CALL_VALUES * 2 + 777, (random) => random() * 1000 - 3)));
  });

  it('fast-check: any doubles, any length', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.double({ min: -1e6, max: 1e6 }), fc.constantFrom(0, -0, Number.NaN)), { maxLength: 1300 }), (xs) => same(Float64Array.from(xs))),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('doubles from random bits: every exponent', () => {
    same(Float64Array.from(seededDoubles(3, 20_000, doubleFromBits)));
  });
});
