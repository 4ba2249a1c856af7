/**
 * An exact sum of float64 values: a binned superaccumulator, nothing ever rounded, so the sum of
 * any values in any order, or of any split of them merged, is the same number.
 *
 * The bins are those of Demmel and Nguyen's binned summation ("Fast reproducible floating-point
 * summation", ARITH 2013; ReproBLAS), with every bin kept instead of the top few, which makes it
 * exact (R. M. Neal's "small superaccumulator", arXiv:1505.05571, is the same idea in integers).
 * Bin i holds a double a[i] = 1.5·2^E_i + (a multiple of u_i = 2^(E_i − 52)), E_i = −1022 + 40i.
 * A term r smaller than 2^(E_i − 13) goes into bin i by
 *
 *     s = a[i] + r;  q = s − a[i];  a[i] = s;  r = r − q
 *
 * where a[i] + r stays in a[i]'s binade, so s is a[i] + r rounded to a multiple of u_i, q is
 * exactly that rounded part of r and r − q exactly the rest (|rest| ≤ u_i/2 = 2^(E_{i−1} − 13)),
 * which goes on into bin i − 1. The last bin's unit, 2^−1074, is the least double: every term
 * ends there at the latest. A 53-bit term touches two bins, sometimes three. A bin takes at most
 * 2 such parts of a value, so its excess over 1.5·2^E_i stays below 2^E_i/4 for 512 values; then
 * `carry` moves each bin's excess, rounded to the next bin's unit, one bin up (exactly) and
 * starts a new top bin where needed. (Bins 40 bits apart measured faster than 32: fewer bins a
 * term, for a carry pass every 512 values instead of every 2^17.)
 *
 * Terms of 2^985 or more (and the squares `ExactSquares` cannot split exactly) go to a BigInt
 * instead: slow, but only values beyond any real data's range take it.
 */

import { ApproxSum, EXACT_ZERO, exponentOf, powerOfTwo, SPLITTER, type Approx } from './double-double.js';

/** Bits between bins: E_i = −1022 + WIDTH·i. */
const WIDTH = 40;
/** Bins on the grid; the top one's values stay below 2^(998 − 13). */
const BINS = 52;
const E0 = -1022;
/** 1.5·2^E_i: an empty bin. */
const BASE = Float64Array.from({ length: BINS }, (_, i) => 1.5 * 2 ** (E0 + WIDTH * i));
/** The largest term bin i takes: 2^(E_i + WIDTH − 53), what bin i + 1 leaves of a term at most. */
const CAP = Float64Array.from({ length: BINS }, (_, i) => 2 ** (E0 + WIDTH * i + WIDTH - 53));
/** A bin's excess above which the top bin hands on to a new one. */
const HIGH_WATER = Float64Array.from({ length: BINS }, (_, i) => 2 ** (E0 + WIDTH * i - 4));
/**
 * Values between carry passes: a bin takes at most 2 parts of a value, each below its CAP, and
 * its excess must stay below 2^E/4 − HIGH_WATER: 2·N·2^(WIDTH − 53) < 3/16, N < 768.
 */
const CARRY_EVERY = 512;

/**
 * The two-accumulator path of a chunk (addColumn, addSquares). Terms t_k, at most CHUNK = 2^9 of
 * them, all |t| < 2^(E+1) and all multiples of 2^G, are summed exactly by
 *
 *     s = high + t;  q = s − high;  high = s;  low += t − q
 *
 * with high starting at 1.5·2^a, a = E + PAIR_HEADROOM: every partial sum of the q's is below
 * 2^9·2^(E+1)·(1 + 2^−41) < 2^(a−1), so high stays in [2^a, 2^(a+1)), where the unit is
 * U = 2^(E−40); s is high + t rounded to a multiple of U, q = s − high is exact (a multiple of U
 * below 2^(a−1)), and t − q is exact (a multiple of 2^G, or 0 when 2^G ≥ U, at most U/2). The
 * sum of those rests is at most 2^9·U/2 = 2^(E−32) and a multiple of 2^G: exact while
 * E − G ≤ 85. Then high − 1.5·2^a and low are two exact doubles whose sum is the chunk's, and
 * only they go into the bins: four floating-point operations a term instead of a walk down the
 * bins. For plain values E is the largest's exponent and G the smallest's minus 52: values
 * within 2^33 of each other.
 */
export const CHUNK = 512;
const PAIR_HEADROOM = 12;
/** The most E − G may be. */
const PAIR_RANGE = 85;
/** The values' exponents where the pair stays among normal doubles and below the top bin. */
const PAIR_LOWEST = -960;
const PAIR_HIGHEST = 960;

/** An exact binary fraction: mantissa·2^exponent (mantissa odd, or 0 with exponent 0). */
export interface Dyadic {
  readonly mantissa: bigint;
  readonly exponent: number;
}

export const ZERO: Dyadic = { mantissa: 0n, exponent: 0 };

export class ExactSum {
  /** The bins, made at the first term: a sum kept only as its exact value (a finished batch's) has none. */
  protected a: Float64Array | null = null;
  /** The highest bin in use (−1: none yet), and the lowest touched since the last carry pass. */
  private top = -1;
  protected bottom = BINS;
  /** Values since the last carry pass. */
  protected pending = 0;
  /** Terms beyond the bins, and exact values added whole: slow·2^slowExponent (the exponent only goes down). */
  private slow = 0n;
  private slowExponent = 0;

  protected bins(): Float64Array {
    return (this.a ??= new Float64Array(BASE));
  }

  /** Add a finite double. */
  add(t: number): void {
    this.deposit(t, this.topFor(t));
    this.tick();
  }

  /**
   * Add values[0..length), NaN entries skipped: `add` on each, with the state in locals (the hot
   * path of a column of values). Chunks of values within 2^33 of each other (nearly every chunk
   * of real data) take the two-accumulator path of `chunkSum`; others the bins, value by value.
   */
  addColumn(values: Float64Array, length: number): void {
    forEachChunk(values, length, (i, end, m) => m.largest !== 0 && this.addChunk(values, i, end, m.largest, m.smallest));
  }

  /** values[i..end) (at most CHUNK of them, some nonzero), whose largest and smallest nonzero magnitudes are given. */
  addChunk(values: Float64Array, i: number, end: number, largest: number, smallest: number): void {
    const eM = exponentOf(largest);
    const em = exponentOf(smallest);
    if (eM - (em - 52) <= PAIR_RANGE && em >= PAIR_LOWEST && eM <= PAIR_HIGHEST) {
      const base = 1.5 * powerOfTwo(eM + PAIR_HEADROOM);
      let high = base;
      let low = 0;
      for (let k = i; k < end; k++) {
        const x = values[k]!;
        if (x !== x) continue;
        const s = high + x;
        const q = s - high;
        high = s;
        low += x - q;
      }
      this.addPart(high - base);
      this.addPart(low);
    } else {
      this.addBinned(values, i, end, largest);
    }
  }

  /** Values [start, end) through the bins, one at a time (the top bin raised once, for the largest). */
  private addBinned(values: Float64Array, start: number, end: number, largest: number): void {
    const top = this.topFor(largest);
    for (let k = start; k < end; k++) {
      const x = values[k]!;
      if (x !== x || x === 0) continue;
      if (top < 0) this.add(x); // some value beyond the bins
      else {
        this.deposit(x, top);
        this.tick();
      }
    }
  }

  /** An exact partial sum into the bins (zero: nothing). */
  addPart(t: number): void {
    if (t !== 0) this.add(t);
  }

  /** Count one value added by addTerms (two terms of it at most in any bin): carry when due. */
  tick(): void {
    if (++this.pending >= CARRY_EVERY) this.carry();
  }

  /**
   * Put the finite term t in, starting at bin `from` (t < CAP[from]; the top bin when t is a
   * fresh value: `topFor`). Returns the last bin it reached: a smaller term of the same value
   * (a square's error) may start there.
   */
  deposit(t: number, from: number): number {
    if (from < 0) {
      this.addSlow(t);
      return 0;
    }
    const a = this.bins();
    let r = t;
    let i = from;
    for (;;) {
      const ai = a[i]!;
      const s = ai + r;
      const q = s - ai;
      a[i] = s;
      r -= q;
      if (r === 0) break;
      i--;
    }
    if (i < this.bottom) this.bottom = i;
    return i;
  }

  /** The bin a new value t starts at (raising the top bin if t needs it); −1 for a term beyond the bins. */
  topFor(t: number): number {
    const size = t < 0 ? -t : t;
    let top = this.top;
    if (top >= 0 && size < CAP[top]!) return top;
    if (size === 0) return 0;
    if (top < 0) top = 0;
    while (top < BINS && !(size < CAP[top]!)) top++;
    if (top === BINS) return -1;
    this.top = top;
    return top;
  }

  /** t (finite), exactly, in the BigInt part. */
  addSlow(t: number): void {
    if (t !== 0) this.addDyadic(dyadicOf(t));
  }

  /** Add an exact value in the BigInt part. */
  addDyadic(d: Dyadic): void {
    if (d.mantissa === 0n) return;
    if (this.slow === 0n || d.exponent < this.slowExponent) {
      this.slow <<= BigInt(this.slow === 0n ? 0 : this.slowExponent - d.exponent);
      this.slowExponent = d.exponent;
    }
    this.slow += d.mantissa << BigInt(d.exponent - this.slowExponent);
  }

  /** Zero again, keeping the bins' memory. */
  reset(): void {
    const a = this.a;
    if (a !== null) for (let i = 0; i <= this.top; i++) a[i] = BASE[i]!;
    this.top = -1;
    this.bottom = BINS;
    this.pending = 0;
    this.slow = 0n;
    this.slowExponent = 0;
  }

  /** Keep only the exact value (no bins): a finished batch's sums, which only merges will read. */
  compact(): void {
    const v = this.value();
    this.a = null;
    this.top = -1;
    this.bottom = BINS;
    this.pending = 0;
    this.slow = v.mantissa;
    this.slowExponent = v.exponent;
  }

  /** Each bin's excess, rounded to the next bin's unit, moved one bin up; the top bin hands on when it is full. */
  carry(): void {
    this.pending = 0;
    const a = this.a;
    if (a === null) return;
    const top = this.top;
    for (let i = this.bottom; i < top; i++) {
      const d = a[i]! - BASE[i]!;
      if (d === 0) continue;
      // d rounded to a multiple of the next bin's unit: adding 1.5·2^E and taking it away again.
      const c = d + BASE[i + 1]! - BASE[i + 1]!;
      a[i] = BASE[i]! + (d - c);
      a[i + 1] = a[i + 1]! + c;
    }
    this.bottom = BINS;
    if (top < 0) return;
    const d = a[top]! - BASE[top]!;
    if (Math.abs(d) < HIGH_WATER[top]!) return;
    if (top + 1 < BINS) {
      const c = d + BASE[top + 1]! - BASE[top + 1]!;
      a[top] = BASE[top]! + (d - c);
      a[top + 1] = a[top + 1]! + c;
      this.top = top + 1;
    } else {
      // Beyond the last bin (sums of values near 2^973): into the BigInt part.
      this.addSlow(d);
      a[top] = BASE[top]!;
    }
  }

  /** Add `other` to this: exact. */
  merge(other: ExactSum): void {
    other.carry();
    this.carry();
    this.addDyadic({ mantissa: other.slow, exponent: other.slowExponent });
    const b = other.a;
    if (b === null) return;
    const a = this.bins();
    for (let i = 0; i <= other.top; i++) {
      const d = b[i]! - BASE[i]!;
      if (d !== 0) a[i] = a[i]! + d;
    }
    if (other.top > this.top) this.top = other.top;
    this.bottom = 0;
    this.carry();
  }

  /** The sum, exactly. */
  value(): Dyadic {
    const a = this.a;
    if (a === null) return trim(this.slow, this.slowExponent);
    // Bin i's excess is an integer times u_i = 2^(−1074 + WIDTH·i); in units of the lowest bin
    // that holds one (the bins below, usually most of them, are empty).
    let low = 0;
    while (low <= this.top && a[low] === BASE[low]) low++;
    let units = 0n;
    for (let i = this.top; i >= low; i--) {
      const d = a[i]! - BASE[i]!;
      // d·2^(1074 − WIDTH·i), in two exact steps (one power of two may be beyond float64).
      const k = 1074 - WIDTH * i;
      const half = Math.trunc(k / 2);
      units = (units << BigInt(WIDTH)) + BigInt(d * 2 ** half * 2 ** (k - half));
    }
    const unit = -1074 + WIDTH * Math.min(low, Math.max(this.top, 0));
    if (this.slow === 0n) return trim(units, unit);
    const exponent = Math.min(unit, this.slowExponent);
    return trim((units << BigInt(unit - exponent)) + (this.slow << BigInt(this.slowExponent - exponent)), exponent);
  }

  /**
   * The sum in float64, as hi + lo within a bound (./double-double.ts): the bins' excesses added
   * from the top, which is usually exact (a handful of terms); undefined with a BigInt part.
   */
  approximate(): Approx | undefined {
    if (this.slow !== 0n) return undefined;
    const a = this.a;
    if (a === null) return EXACT_ZERO;
    const sum = new ApproxSum();
    for (let i = this.top; i >= 0; i--) {
      const d = a[i]! - BASE[i]!;
      if (d !== 0) sum.add(d);
    }
    return sum.value();
  }

  /** A copy (of the same class). */
  clone(): this {
    const c = new (this.constructor as new () => this)();
    c.a = this.a && new Float64Array(this.a);
    c.top = this.top;
    c.bottom = this.bottom;
    c.pending = this.pending;
    c.slow = this.slow;
    c.slowExponent = this.slowExponent;
    return c;
  }

}

/**
 * Σx² exactly: each square split into hi = fl(x·x) and its error lo (Dekker's product with
 * Veltkamp's split, exact without FMA: T. J. Dekker, "A floating-point technique for extending
 * the available precision", Numer. Math. 18, 1971). The split is exact while nothing in it leaves
 * the normal range: for 2^−400 ≤ |x| < 2^486 (x² < 2^972, below the top bin's limit, and its
 * error, ~2^−106 of it, a normal double). Other squares are made exactly in BigInt.
 */
export class ExactSquares extends ExactSum {
  /**
   * Add the squares of values[0..length), NaN entries skipped: `addSquare` on each, with the
   * state in locals (the hot path). Chunks of values within 2^17 of each other take the
   * two-accumulator path (`chunkSum`) twice: once for the squares rounded, once for their errors.
   */
  addSquares(values: Float64Array, length: number): void {
    forEachChunk(values, length, (i, end, m) => m.largest !== 0 && this.addSquaresChunk(values, i, end, m.largest, m.smallest));
  }

  /** The squares of values[i..end), as `addChunk` takes values. */
  addSquaresChunk(values: Float64Array, i: number, end: number, largest: number, smallest: number): void {
    if (largest >= SQUARE_HIGH || smallest < SQUARE_LOW) {
      // A square Dekker's split cannot take: one value at a time.
      for (let k = i; k < end; k++) if (values[k] === values[k]) this.addSquare(values[k]!);
      return;
    }
    // The squares hi = fl(x²) lie in [fl(smallest²), fl(largest²)]; their errors lo are below
    // half an ulp of the largest (< 2^(eH − 52)) and multiples of ulp(x)² ≥ 2^(2·em − 104).
    const eH = exponentOf(largest * largest);
    const eh = exponentOf(smallest * smallest);
    const em = exponentOf(smallest);
    if (eH - (eh - 52) <= PAIR_RANGE && eH - 53 - (2 * em - 104) <= PAIR_RANGE) {
      const base = 1.5 * powerOfTwo(eH + PAIR_HEADROOM);
      const errorBase = 1.5 * powerOfTwo(eH - 53 + PAIR_HEADROOM);
      let high = base;
      let low = 0;
      let errorHigh = errorBase;
      let errorLow = 0;
      for (let k = i; k < end; k++) {
        const x = values[k]!;
        if (x !== x) continue;
        const hi = x * x;
        const c = SPLITTER * x;
        const xh = c - (c - x);
        const xl = x - xh;
        const lo = xh * xh - hi + 2 * xh * xl + xl * xl;
        const s = high + hi;
        const q = s - high;
        high = s;
        low += hi - q;
        const t = errorHigh + lo;
        const r = t - errorHigh;
        errorHigh = t;
        errorLow += lo - r;
      }
      this.addPart(high - base);
      this.addPart(low);
      this.addPart(errorHigh - errorBase);
      this.addPart(errorLow);
    } else {
      const top = this.topFor(largest * largest);
      for (let k = i; k < end; k++) {
        const x = values[k]!;
        if (x !== x || x === 0) continue;
        this.depositSquare(x, top);
        this.tick();
      }
    }
  }

  addSquare(x: number): void {
    const size = x < 0 ? -x : x;
    if (size >= SQUARE_LOW && size < SQUARE_HIGH) {
      this.depositSquare(x, this.topFor(x * x));
    } else if (x !== 0) {
      const { mantissa, exponent } = dyadicOf(x);
      this.addDyadic({ mantissa: mantissa * mantissa, exponent: 2 * exponent });
    }
    this.tick();
  }

  /** x² as hi + lo exactly (2^−400 ≤ |x| < 2^486), hi from bin `top` down, lo from where hi stopped (it is below that bin's CAP). */
  private depositSquare(x: number, top: number): void {
    const hi = x * x;
    const c = SPLITTER * x;
    const xh = c - (c - x);
    const xl = x - xh;
    const lo = xh * xh - hi + 2 * xh * xl + xl * xl;
    const last = this.deposit(hi, top);
    if (lo !== 0) this.deposit(lo, last);
  }

}

const SQUARE_LOW = 2 ** -400;
const SQUARE_HIGH = 2 ** 486;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * What one pass over a chunk measures, for its sums and for Moments: the largest and the smallest
 * nonzero magnitudes, the smallest and largest values, and how many are not missing (NaN). One
 * object, rewritten for each chunk.
 */
export interface ChunkMeasure {
  /** 0 when every value is 0 or missing: nothing to sum. */
  largest: number;
  /** Infinity when none is nonzero. */
  smallest: number;
  min: number;
  max: number;
  count: number;
}

const MEASURE: ChunkMeasure = { largest: 0, smallest: Infinity, min: Infinity, max: -Infinity, count: 0 };

/**
 * values[0..length) in chunks of at most CHUNK, each handed on with its measure (see
 * ChunkMeasure, valid during the call); a chunk of missing values only is skipped. Moments
 * measures a chunk once for its sum, its sum of squares, its count and its extremes.
 */
export function forEachChunk(values: Float64Array, length: number, chunk: (start: number, end: number, measure: ChunkMeasure) => void): void {
  for (let i = 0; i < length; i += CHUNK) {
    const end = Math.min(length, i + CHUNK);
    measure(values, i, end);
    if (MEASURE.count > 0) chunk(i, end, MEASURE);
  }
}

/** values[start..end) measured into MEASURE, NaN skipped (each comparison with NaN is false). */
function measure(values: Float64Array, start: number, end: number): void {
  let min = Infinity;
  let max = -Infinity;
  let smallest = Infinity;
  let missing = 0;
  for (let k = start; k < end; k++) {
    const x = values[k]!;
    if (x < min) min = x;
    if (x > max) max = x;
    const size = Math.abs(x);
    if (size < smallest && size !== 0) smallest = size;
    if (x !== x) missing++;
  }
  const count = end - start - missing;
  MEASURE.min = min;
  MEASURE.max = max;
  MEASURE.count = count;
  MEASURE.smallest = smallest;
  MEASURE.largest = count === 0 ? 0 : Math.max(-min, max);
}

/** A finite double as an exact binary fraction (not trimmed). */
export function dyadicOf(x: number): Dyadic {
  f64[0] = x;
  const high = u32[1]!;
  const biased = (high >>> 20) & 0x7ff;
  const m = ((high & 0xfffff) + (biased === 0 ? 0 : 0x100000)) * 2 ** 32 + u32[0]!;
  const mantissa = BigInt(m);
  return { mantissa: x < 0 ? -mantissa : mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/** mantissa·2^exponent with the mantissa's trailing zero bits moved into the exponent. */
export function trim(mantissa: bigint, exponent: number): Dyadic {
  if (mantissa === 0n) return ZERO;
  let m = mantissa;
  let e = exponent;
  // Whole words first, then the low word's trailing zeros at once (its lowest set bit's place).
  let low: number;
  while ((low = Number(BigInt.asUintN(32, m))) === 0) {
    m >>= 32n;
    e += 32;
  }
  const zeros = 31 - Math.clz32(low & -low);
  return zeros === 0 ? { mantissa: m, exponent: e } : { mantissa: m >> BigInt(zeros), exponent: e + zeros };
}

/**
 * A Dyadic as lossless text: the mantissa in hexadecimal and the binary exponent, "-0x1f3ap-20"
 * for −0x1f3a·2^−20 ("0" for zero). What a stats file and a worker's message carry.
 */
export function dyadicText(d: Dyadic): string {
  if (d.mantissa === 0n) return '0';
  const sign = d.mantissa < 0n ? '-' : '';
  const m = d.mantissa < 0n ? -d.mantissa : d.mantissa;
  return `${sign}0x${m.toString(16)}p${d.exponent}`;
}

/** The Dyadic `dyadicText` wrote, or undefined for text that is not one. */
export function parseDyadic(text: string): Dyadic | undefined {
  if (text === '0') return ZERO;
  const match = /^(-?)0x([0-9a-f]{1,2000})p(-?\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const m = BigInt(`0x${match[2]}`);
  return trim(match[1] === '-' ? -m : m, Number(match[3]));
}
