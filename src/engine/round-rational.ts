/**
 * The float64 nearest to an exact rational (ties to even), with subnormal results and overflow
 * (±Infinity) as IEEE 754 rounds them: the one rounding of bn's correctly rounded statistics.
 */

/** The double nearest to (num/den)·2^exp2, den > 0. */
export function roundQuotient(num: bigint, den: bigint, exp2 = 0): number {
  if (den <= 0n) throw new RangeError('roundQuotient: the denominator must be positive');
  if (num === 0n) return 0;
  const negative = num < 0n;
  const n = negative ? -num : num;
  // Scale so that the integer quotient has 55 or 56 bits: 53 kept, a rounding bit and one more.
  const k = 55 - (bitLength(n) - bitLength(den));
  const scaledNum = k >= 0 ? n << BigInt(k) : n;
  const scaledDen = k >= 0 ? den : den << BigInt(-k);
  let q = scaledNum / scaledDen;
  const sticky = scaledNum % scaledDen !== 0n;
  // value = (q + rest)·2^(exp2 − k); its binary exponent:
  let e = exp2 - k;
  const bits = bitLength(q);
  const exponent = e + bits - 1;
  if (exponent > 1023) return negative ? -Infinity : Infinity;
  // Bits to drop: down to 53 significant ones, more for a subnormal result (least unit 2^−1074).
  const drop = Math.max(bits - 53, -1074 - e);
  if (drop > 0) {
    const dropped = q & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    q >>= BigInt(drop);
    e += drop;
    if (dropped > half || (dropped === half && (sticky || (q & 1n) === 1n))) q += 1n;
  }
  // q ≤ 2^53 (rounding up may carry to 2^53, still exact); q·2^e in two exact steps.
  const half = Math.trunc(e / 2);
  const value = Number(q) * 2 ** half * 2 ** (e - half);
  return negative ? -value : value;
}

/** Number of bits of a positive BigInt (from its hexadecimal digits: a quarter of the binary string). */
export function bitLength(x: bigint): number {
  const hex = x.toString(16);
  return 4 * (hex.length - 1) + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/**
 * The double nearest to √((num/den)·2^exp2), num ≥ 0, den > 0: one rounding, as IEEE 754's square
 * root gives for a double. The integer square root r = ⌊√t⌋ of the radicand scaled to ~112 bits
 * has 56 or more bits; the true root lies in [r, r + 1), and any point strictly inside (r + ½)
 * rounds as it does, since the rounding boundaries of 53 bits fall on integers there.
 */
export function roundSqrtQuotient(num: bigint, den: bigint, exp2 = 0): number {
  if (num < 0n) return NaN;
  if (den <= 0n) throw new RangeError('roundSqrtQuotient: the denominator must be positive');
  if (num === 0n) return 0;
  // An even exponent halves exactly.
  const n = exp2 % 2 === 0 ? num : num << 1n;
  const e = exp2 % 2 === 0 ? exp2 : exp2 - 1;
  const k = 56 - Math.floor((bitLength(n) - bitLength(den)) / 2);
  const scaledNum = k >= 0 ? n << BigInt(2 * k) : n;
  const scaledDen = k >= 0 ? den : den << BigInt(-2 * k);
  const t = scaledNum / scaledDen;
  const r = integerSqrt(t);
  const inexact = r * r !== t || scaledNum % scaledDen !== 0n;
  return roundQuotient(inexact ? 2n * r + 1n : 2n * r, 2n, e / 2 - k);
}

/** ⌊√t⌋ for t ≥ 0: Newton's iteration on integers from a float64 estimate. */
function integerSqrt(t: bigint): bigint {
  if (t < 2n) return t;
  let x = BigInt(Math.ceil(Math.sqrt(Number(t))));
  // One step from any x > 0 lands at or above ⌊√t⌋ (AM ≥ GM); from there the steps only decrease.
  x = (x + t / x) >> 1n;
  for (;;) {
    const next = (x + t / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}
