/**
 * Correct rounding without BigInt where float64 arithmetic can prove it. A quantity is kept as a
 * double-double hi + lo (about 106 bits) with a bound err on its distance from the exact value.
 * The double nearest to the exact value is the one nearest to hi + lo whenever the whole interval
 * [hi + lo − err, hi + lo + err] lies strictly between the two midpoints around it: that is Ziv's
 * strategy (A. Ziv, "Fast evaluation of elementary mathematical functions with correctly rounded
 * last bit", ACM TOMS 17(3), 1991). When it does not decide, the caller takes the exact path
 * (BigInt rationals, ./round-rational.ts), which gives the same double whenever both answer.
 *
 * bn's statistics of a batch are rationals of exact sums (./moments.ts): the mean Σx/n, the
 * variance (n·Σx² − (Σx)²)/n², the scale γ/√(σ² + ε)… With batches of a few hundred rows, the
 * BigInt path cost ≈ 10 µs a feature and batch, more than summing its values; on real data these
 * operations decide nearly always. What they leave to BigInt: ties and exact zeros (a constant
 * column), magnitudes outside [2^−450, 2^450], and heavy cancellation (a variance below ~2^−40
 * of the squared mean, as 1e9 + N(0, 1)).
 *
 * Error bounds. Each operation is an accurate double-word algorithm (no FMA needed) whose own
 * rounding error is below 2^−102 of its result (M. Joldes, J.-M. Muller, V. Popescu, "Tight and
 * rigorous error bounds for basic building blocks of double-word arithmetic", ACM TOMS 44(2),
 * 2017: at most 15u², u = 2^−53, for the worst of those used here; √ by one Newton correction,
 * ≈ 3u²); REL = 2^−99 bounds each with room to spare. Those bounds need the error-free
 * transformations to be exact: no overflow, and no product's error term below the normal range.
 * The sums, and every result that is rounded or used further, are checked to lie in
 * [2^−450, 2^450]; the products and quotients made of them in between stay within about
 * [2^−953, 2^900], where a product of two doubles keeps an exact error term. Errors of the
 * inputs are carried through by first-order bounds with their second-order terms, and every
 * bound computed in float64 is rounded up by the factor UP.
 */

/** hi + lo (|lo| ≤ ulp(hi)/2) within err of an exact value: |exact − (hi + lo)| ≤ err. */
export interface Approx {
  readonly hi: number;
  readonly lo: number;
  readonly err: number;
}

/**
 * The fast path can be switched off, for the tests that compare it with the exact one, which
 * also read how many roundings it decided.
 */
export const fastRounding = { enabled: true, decided: 0 };

const REL = 2 ** -99;
const UP = 1 + 2 ** -40;
const SMALLEST = 2 ** -450;
const LARGEST = 2 ** 450;

export const EXACT_ZERO: Approx = { hi: 0, lo: 0, err: 0 };

/** Inside the range where the operations' bounds hold (0 only when exactly 0). */
function inRange(x: Approx): boolean {
  const h = Math.abs(x.hi);
  return h === 0 ? x.lo === 0 : h >= SMALLEST && h <= LARGEST && Number.isFinite(x.err);
}

/** The bound of an operation's result: the inputs' error carried, plus its own rounding. */
function bound(carried: number, hi: number): number {
  return (carried + Math.abs(hi) * REL) * UP;
}

/** An upper bound of |x| (hi + lo, |lo| ≤ ulp(hi)/2 ≤ 2^−52·|hi|). */
function magnitude(x: Approx): number {
  return Math.abs(x.hi) * (1 + 2 ** -50);
}

// The error-free transformations (exact: a + b = s + e, a·b = p + e).
let e0 = 0;
/** a + b rounded; the rest in e0. */
function twoSum(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  e0 = a - (s - bb) + (b - bb);
  return s;
}
/** a + b rounded, |a| ≥ |b| (or a = 0); the rest in e0. */
function fastTwoSum(a: number, b: number): number {
  const s = a + b;
  e0 = b - (s - a);
  return s;
}
/** a·b rounded; the rest in e0 (Dekker's product with Veltkamp's split). */
function twoProduct(a: number, b: number): number {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  e0 = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

/** hi + lo normalized from any two doubles, |hi| ≥ |lo| not needed. */
function pair(hi: number, lo: number, err: number): Approx {
  const h = twoSum(hi, lo);
  return { hi: h, lo: e0, err };
}

/** x + y (AccurateDWPlusDW). */
export function add(x: Approx, y: Approx): Approx {
  const sh = twoSum(x.hi, y.hi);
  const sl = e0;
  const th = twoSum(x.lo, y.lo);
  const tl = e0;
  const vh = fastTwoSum(sh, sl + th);
  const zh = fastTwoSum(vh, tl + e0);
  return { hi: zh, lo: e0, err: bound(x.err + y.err, zh) };
}

/** −x, exactly. */
export function negate(x: Approx): Approx {
  return { hi: -x.hi, lo: -x.lo, err: x.err };
}

/** x·y (DWTimesDW without FMA). */
export function multiply(x: Approx, y: Approx): Approx {
  const ch = twoProduct(x.hi, y.hi);
  const cl = e0 + (x.hi * y.lo + x.lo * y.hi);
  const zh = fastTwoSum(ch, cl);
  const carried = magnitude(x) * y.err + magnitude(y) * x.err + x.err * y.err;
  return { hi: zh, lo: e0, err: bound(carried, zh) };
}

/** x/d for a double d ≠ 0 (DWDivFP). */
export function divide(x: Approx, d: number): Approx {
  const th = x.hi / d;
  const ph = twoProduct(th, d);
  const pl = e0;
  // x.hi − ph is exact (Sterbenz: ph is x.hi to within an ulp).
  const tl = (x.hi - ph - pl + x.lo) / d;
  const zh = fastTwoSum(th, tl);
  return { hi: zh, lo: e0, err: bound(x.err / Math.abs(d), zh) };
}

/** g/x for a double g and x > err (DWDivDW with g as a double-double). */
export function divideInto(g: number, x: Approx): Approx | undefined {
  const lower = x.hi * (1 - 2 ** -50) - x.err;
  if (!(x.hi > 0 && lower > 0)) return undefined;
  const th = g / x.hi;
  // r = g − th·x, in double-double: th·x.hi exactly, th·x.lo rounded (far below).
  const ph = twoProduct(th, x.hi);
  const pl = e0 + th * x.lo;
  const r = g - ph - pl;
  const zh = fastTwoSum(th, r / x.hi);
  // |g/x − g/x̃| ≤ |g|·err/(x̃·(x̃ − err)).
  const carried = (Math.abs(g) * x.err) / (x.hi * (1 - 2 ** -50) * lower);
  return { hi: zh, lo: e0, err: bound(carried, zh) };
}

/** √x for x > err: s = √hi corrected once by (x − s²)/(2s). */
export function squareRoot(x: Approx): Approx | undefined {
  const lower = x.hi * (1 - 2 ** -50) - x.err;
  if (!(x.hi > 0 && lower > 0)) return undefined;
  const s = Math.sqrt(x.hi);
  const ph = twoProduct(s, s);
  const pl = e0;
  const r = x.hi - ph - pl + x.lo;
  const zh = fastTwoSum(s, r / (2 * s));
  // |√a − √b| ≤ |a − b|/(2·√min(a, b)).
  const carried = x.err / (2 * Math.sqrt(lower));
  return { hi: zh, lo: e0, err: bound(carried, zh) };
}

/** The product of two doubles, exactly. */
export function exactProduct(a: number, b: number): Approx {
  const p = twoProduct(a, b);
  return { hi: p, lo: e0, err: 0 };
}

/** A double, exactly. */
export function exactly(x: number): Approx {
  return { hi: x, lo: 0, err: 0 };
}

/**
 * Doubles summed in order, as Approx: each step's rounding is kept exactly and its magnitude
 * added to the bound (the bins of an exact sum hold a handful of terms; usually nothing is lost).
 */
export class ApproxSum {
  private hi = 0;
  private lo = 0;
  private err = 0;

  add(t: number): void {
    const s = twoSum(this.hi, t);
    const l = twoSum(this.lo, e0);
    const lost = e0;
    this.hi = twoSum(s, l);
    this.lo = e0;
    if (lost !== 0) this.err = (this.err + Math.abs(lost)) * UP;
  }

  value(): Approx {
    return pair(this.hi, this.lo, this.err);
  }
}

/**
 * The double nearest to every value within x's bound (ties to even never arise: an interval
 * touching a midpoint is undecided); undefined when the bound does not decide it, or where the
 * operations' bounds do not hold. An exact zero is 0.
 */
export function decide(x: Approx): number | undefined {
  if (!fastRounding.enabled) return undefined;
  if (x.hi === 0 && x.lo === 0 && x.err === 0) {
    fastRounding.decided++;
    return 0;
  }
  if (!inRange(x) || !(x.err >= 0)) return undefined;
  // hi + lo = c + t exactly, c the double nearest to it.
  const c = twoSum(x.hi, x.lo);
  const t = e0;
  const size = Math.abs(c);
  if (!(size >= SMALLEST && size <= LARGEST)) return undefined;
  // The nearer midpoint: half an ulp away, a quarter below a power of two (the next double
  // toward zero is half as far there).
  const e = exponentOf(size);
  const ulp = powerOfTwo(e - 52);
  const gap = size === powerOfTwo(e) ? ulp / 4 : ulp / 2;
  if (!((Math.abs(t) + x.err) * UP < gap)) return undefined;
  fastRounding.decided++;
  return c;
}

/** An Approx usable by the operations above (magnitudes in range), or undefined. */
export function usable(x: Approx | undefined): Approx | undefined {
  return x !== undefined && inRange(x) ? x : undefined;
}

// A double's binary exponent, exact powers of two and Veltkamp's splitter: the exact sums
// (./exact-sum.ts) use them too.

/** 2^27 + 1: Veltkamp's split of a double into two halves of 26 bits (Dekker's exact product). */
export const SPLITTER = 134217729;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** floor(log2 |x|) of a nonzero double from its bits (−1023 for a subnormal: below every range used here). */
export function exponentOf(x: number): number {
  f64[0] = x;
  return ((u32[1]! >>> 20) & 0x7ff) - 1023;
}

/** 2^k exactly, for −1022 ≤ k ≤ 1023. */
export function powerOfTwo(k: number): number {
  u32[1] = (k + 1023) << 20;
  u32[0] = 0;
  return f64[0]!;
}
