import { describe, expect, it } from 'vitest';
import { ExactSquares, ExactSum, type Dyadic } from '../../src/engine/exact-sum.js';
import { seededRandom, toDyadic } from '../helpers/exact.js';

/**
 * The column paths of ExactSum (addColumn: a chunk of values within 2^33 of each other is summed
 * by two accumulators, others go through the bins) against exact sums made here in BigInt from
 * each double's bits (test/helpers/exact.ts), and against `add` one value at a time. The chunks
 * are built on both sides of each bound of the two-accumulator path.
 */

/** Σ of the dyadics, exactly, as mantissa·2^−1200 (every double and square here is a multiple of that). */
function exactTotal(terms: readonly Dyadic[] | readonly { mant: bigint; exp: number }[]): bigint {
  let total = 0n;
  for (const t of terms) {
    const { m, e } = 'mant' in t ? { m: t.mant, e: t.exp } : { m: t.mantissa, e: t.exponent };
    total += m << BigInt(e + 2300);
  }
  return total;
}

function inUnits(d: Dyadic): bigint {
  return d.mantissa << BigInt(d.exponent + 2300);
}

const sumOf = (xs: readonly number[]) => exactTotal(xs.filter((x) => x === x).map(toDyadic));
const squaresOf = (xs: readonly number[]) =>
  exactTotal(
    xs.filter((x) => x === x).map((x) => {
      const d = toDyadic(x);
      return { mant: d.mant * d.mant, exp: 2 * d.exp };
    }),
  );

/** A double with a random 53-bit mantissa in [2^e, 2^(e+1)), random sign. */
function fullMantissa(random: () => number, e: number): number {
  const m = 2 ** 52 + Math.floor(random() * 2 ** 26) * 2 ** 26 + Math.floor(random() * 2 ** 26);
  const x = m * 2 ** (e - 52);
  return random() < 0.5 ? -x : x;
}

/** `count` values whose exponents span [low, high] exactly (both ends present), some NaN and 0 among them. */
function chunk(random: () => number, count: number, low: number, high: number): number[] {
  const xs = [fullMantissa(random, low), fullMantissa(random, high)];
  while (xs.length < count) {
    const r = random();
    if (r < 0.03) xs.push(Number.NaN);
    else if (r < 0.05) xs.push(0);
    else xs.push(fullMantissa(random, low + Math.floor(random() * (high - low + 1))));
  }
  return xs;
}

function columnSum(xs: readonly number[]): bigint {
  const s = new ExactSum();
  s.addColumn(Float64Array.from(xs), xs.length);
  return inUnits(s.value());
}

function columnSquares(xs: readonly number[]): bigint {
  const s = new ExactSquares();
  s.addSquares(Float64Array.from(xs), xs.length);
  return inUnits(s.value());
}

function oneByOne(xs: readonly number[], squares: boolean): bigint {
  const s = squares ? new ExactSquares() : new ExactSum();
  for (const x of xs) if (x === x) squares ? (s as ExactSquares).addSquare(x) : s.add(x);
  return inUnits(s.value());
}

describe('ExactSum.addColumn: exact on both sides of the two-accumulator bounds (reference: BigInt sums)', () => {
  it.each([
    ['span 0 (one binade)', 0],
    ['span 20', 20],
    ['span 33: the widest the two accumulators take', 33],
    ['span 34: through the bins', 34],
    ['span 200: through the bins', 200],
  ])('%s', (_name, span) => {
    const random = seededRandom(0x5a11 + span);
    for (const base of [-40, 0, 30, 400]) {
      for (const count of [1, 7, 511, 512, 513, 1500]) {
        const xs = chunk(random, count, base - span, base);
        expect(columnSum(xs)).toBe(sumOf(xs));
        expect(oneByOne(xs, false)).toBe(sumOf(xs));
      }
    }
  });

  it('512 values of the largest mantissa, one sign: the headroom of the high accumulator', () => {
    for (const e of [-900, -1, 0, 52, 900]) {
      const top = (2 - 2 ** -52) * 2 ** e;
      for (const sign of [1, -1]) {
        const xs = Array.from({ length: 512 }, (_, k) => (k === 0 ? sign * 2 ** (e - 33) : sign * top));
        expect(columnSum(xs)).toBe(sumOf(xs));
      }
    }
  });

  it('values near the ends of the double range and subnormals', () => {
    const random = seededRandom(7);
    const cases = [
      chunk(random, 600, -1000, -960),
      chunk(random, 600, 940, 975),
      [5e-324, 1e-310, -2.5e-320, 3e-300],
      [1.7e308, -1.7e308, 1e308, 1e300],
    ];
    for (const xs of cases) {
      expect(columnSum(xs)).toBe(sumOf(xs));
      expect(oneByOne(xs, false)).toBe(sumOf(xs));
    }
  });

  it.each([33, 34])('rests that all round the same way, values spanning %i binades: the low accumulator at its widest', (span) => {
    // One value in [1, 2) sets the high accumulator's unit U = 2^−40; 511 small values in
    // [2^−span, 2^(1−span)) each leave a rest just under U/2 in units of their ulp, 2^(−span−52),
    // so the rests add up to about 2^−32 in units of 2^(−span−52): 53 bits for span 33, 54 for 34.
    const U = 2 ** -40;
    const unit = 2 ** (-span - 52);
    const xs = [1.75];
    for (let j = 0; xs.length < 512; j++) xs.push(2 ** -span + (j % 64) * U + (U / 2 - unit));
    expect(columnSum(xs)).toBe(sumOf(xs));
    expect(columnSum(xs.map((x) => -x))).toBe(-sumOf(xs));
  });

  it('a chunk of zeros and missing values only adds nothing', () => {
    expect(columnSum([0, Number.NaN, -0, 0])).toBe(0n);
  });
});

describe('ExactSquares.addSquares: exact on both sides of the bounds (reference: BigInt squares)', () => {
  it.each([
    ['span 0', 0],
    ['span 16', 16],
    ['span 17: the widest the two pairs take', 17],
    ['span 18: through the bins', 18],
    ['span 60: through the bins', 60],
  ])('%s', (_name, span) => {
    const random = seededRandom(0x5a22 + span);
    for (const base of [-200, -10, 0, 25, 300]) {
      for (const count of [1, 3, 512, 1100]) {
        const xs = chunk(random, count, base - span, base);
        expect(columnSquares(xs)).toBe(squaresOf(xs));
        expect(oneByOne(xs, true)).toBe(squaresOf(xs));
      }
    }
  });

  it('512 squares of the largest mantissa: the headroom of both pairs', () => {
    for (const e of [-380, 0, 26, 470]) {
      const top = (2 - 2 ** -52) * 2 ** e;
      const xs = Array.from({ length: 512 }, (_, k) => (k === 0 ? 2 ** (e - 17) * (1 + 2 ** -52) : top));
      expect(columnSquares(xs)).toBe(squaresOf(xs));
    }
  });

  it('squares beyond Dekker’s split range, one at a time in BigInt', () => {
    const xs = [1e-200, 3e150, -(2 ** 490), 7e-310, 1.5];
    expect(columnSquares(xs)).toBe(squaresOf(xs));
  });
});
