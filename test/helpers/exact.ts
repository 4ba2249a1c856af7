/**
 * Exact reference statistics for tests: every float64 is a dyadic rational m·2^e, so sums,
 * means and Σ(x − mean)² of float64 data are exact rationals that BigInt arithmetic computes
 * without any rounding. Only the final conversion back to float64 rounds (correctly, to nearest,
 * ties to even, subnormal results included). This is an implementation independent of
 * src/engine: no Welford, no shifts, no floating-point accumulation.
 */

/** x = mant·2^exp exactly. */
export interface Dyadic {
  mant: bigint;
  exp: number;
}

/** The exact dyadic value of a finite double. */
export function toDyadic(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new RangeError(`toDyadic: not finite: ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals (biased = 0) have no implicit leading 1 and the exponent of the smallest normal.
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = biased === 0 ? -1074 : biased - 1075;
  return { mant: negative ? -mant : mant, exp };
}

function bitLength(a: bigint): number {
  return a === 0n ? 0 : a.toString(2).length;
}

/** x·2^e, exact when the result is a normal double. */
function ldexp(x: number, e: number): number {
  let v = x;
  let k = e;
  while (k > 1000) {
    v *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    v *= 2 ** -1000;
    k += 1000;
  }
  return v * 2 ** k;
}

/** Round a/b (a ≥ 0, b > 0) to the nearest integer, ties to even. */
function roundDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  const twice = 2n * (a % b);
  return twice > b || (twice === b && (quotient & 1n) === 1n) ? quotient + 1n : quotient;
}

/**
 * The double nearest to (p/q)·2^e2 (q > 0), ties to even, subnormal and infinite results
 * included. A normal result: the quotient is computed to 66 or 67 bits with a sticky bit for the
 * remainder, so Number() — which rounds a BigInt to nearest, ties to even — rounds it correctly,
 * and the power-of-two scaling is then exact. A result below 2^−1022: the quotient is taken in
 * units of 2^−1074 (the subnormals' spacing) and rounded here, once.
 */
export function ratioToDouble(p: bigint, q: bigint, e2 = 0): number {
  if (q <= 0n) throw new RangeError('ratioToDouble: q must be positive');
  if (p === 0n) return 0;
  const negative = p < 0n;
  const a = negative ? -p : p;
  // a·2^k/q has 66 or 67 bits before the point; k < 0 for a numerator far longer than q.
  const k = 66 + bitLength(q) - bitLength(a);
  const [num, den] = k >= 0 ? [a << BigInt(k), q] : [a, q << BigInt(-k)];
  let quotient = num / den;
  let v: number;
  // The result is at least 2^(bits − 1 + e2 − k): normal when that is at least 2^−1022.
  if (bitLength(quotient) - 1 + e2 - k >= -1022) {
    if (num % den !== 0n) quotient |= 1n;
    v = ldexp(Number(quotient), e2 - k);
  } else {
    const shift = e2 + 1074;
    const units = shift >= 0 ? roundDiv(a << BigInt(shift), q) : roundDiv(a, q << BigInt(-shift));
    v = Number(units) * 2 ** -1074; // units ≤ 2^52: exact
  }
  return negative ? -v : v;
}

export interface ExactMoments {
  count: number;
  mean: number;
  /** Biased variance Σ(x − mean)²/n. */
  variance: number;
  /** Σ(x − mean)²/(n − 1); NaN for n < 2. */
  sampleVariance: number;
  /** Σ(x − mean)². */
  m2: number;
}

/**
 * Exact count, mean and variances of the non-NaN values of xs, each correctly rounded once.
 * With X_i = x_i·2^−E integers (E the smallest exponent) and T = ΣX_i:
 *   mean = T/n · 2^E,   Σ(x − mean)² = Σ(n·X_i − T)² / n² · 2^{2E}.
 */
export function exactMoments(xs: ArrayLike<number>): ExactMoments {
  const ds: Dyadic[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!Number.isNaN(x)) ds.push(toDyadic(x));
  }
  const n = ds.length;
  if (n === 0) return { count: 0, mean: NaN, variance: NaN, sampleVariance: NaN, m2: 0 };
  // A zero adds nothing at any scale: its exponent (that of the subnormals) must not set E.
  // (A loop, not Math.min(...): a million arguments would overflow the stack.)
  let e = 0;
  for (const d of ds) if (d.mant !== 0n && d.exp < e) e = d.exp;
  const ints = ds.map((d) => d.mant << BigInt(d.exp - e));
  const total = ints.reduce((s, v) => s + v, 0n);
  const bn = BigInt(n);
  let ss = 0n;
  for (const v of ints) {
    const dev = bn * v - total;
    ss += dev * dev;
  }
  return {
    count: n,
    mean: ratioToDouble(total, bn, e),
    variance: ratioToDouble(ss, bn * bn * bn, 2 * e),
    sampleVariance: n < 2 ? NaN : ratioToDouble(ss, bn * bn * (bn - 1n), 2 * e),
    m2: ratioToDouble(ss, bn * bn, 2 * e),
  };
}

/**
 * Deterministic pseudo-random numbers in [0, 1) for reproducible test data (mulberry32,
 * Tommy Ettinger's 32-bit generator). Not for statistics: only to make inputs that look random.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
