/**
 * A float64 written as bytes, exactly as `String(x)` writes it, without making a string.
 *
 * Why: `String(x)` costs 150–200 ns a number in V8 (most of it the heap string), two thirds of a
 * fast-path `bn normalize`. This writes the same characters in a fraction of that.
 *
 * What `String(x)` writes (ECMAScript Number::toString, with the "closest" rule V8 follows): the
 * fewest significant digits s (k of them) whose value s × 10^(n−k) reads back as x; among those,
 * the one closest to x. Reading back rounds to nearest, ties to even, so the values that read
 * back as x = M·2^E are those within half an ulp of it, the ends included when M is even.
 *
 * How: x is scaled to v = x · 10^p in [1e16, 1e17) — a 17-digit integer part and a fraction — by
 * an error-free product (Dekker) with 10^p held as a double-double, so v is known to ~1e-14
 * (exactly, for the 10^p up to 10^22 that normalized data needs). The half-ulp bounds scale the
 * same way. Then for m = 1, 2, … the two multiples of 10^m around v are checked against the
 * bounds; the last m with one inside gives the digits (17 − m of them), the closer one if both are.
 * Every comparison that falls within TOLERANCE of deciding the other way (two candidates equally
 * close, one on an end of the interval) is not decided here, nor is an x beyond the tables:
 * `String(x)` writes those. On bn's output (full 53-bit results of arithmetic) that is about one
 * number in a million or fewer; on dyadic values with short decimal expansions (0.5 + 2^-30,
 * say) exact ties are common, and declined.
 * test/io/fast/shortest-number.test.ts checks the bytes against `String(x)` over every kind of double.
 */

/** Beyond this distance from deciding the other way, a comparison is certain (v's error: < 1e-13). */
const TOLERANCE = 1e-9;
/** The exponents (p in 10^p) this scales by; beyond them (|x| < ~1e-284 or > ~1e284) String(x) is used. */
const P_MIN = -270;
const P_MAX = 300;
/** 2^27 + 1: Dekker's split of a double into two 26-bit halves. */
const SPLIT = 134217729;

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const LETTER_E = 0x65;
const PLUS = 0x2b;

/** 10^m for m ≤ 8, then 10^(m − 8). */
const UNITS = new Int32Array([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000]);

/** Which multiple of 10^m around v reads back as x. */
const LOWER = 1;
const UPPER = 2;
const NEITHER = 0;
const UNSURE = -1;

let tables: PowerTables | undefined;

export interface PowerTables {
  /** 10^p = hi + lo (hi correctly rounded, lo the rest to 53 bits), at index p − P_MIN. */
  hi: Float64Array;
  lo: Float64Array;
  /** hi split in two halves for the error-free product. */
  hiHigh: Float64Array;
  hiLow: Float64Array;
  /** Half an ulp of a double with this biased exponent: 2^(biased − 1076). */
  halfUlp: Float64Array;
}

/** The x's bits, read through a shared buffer. */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;

/** "00" to "99": two digits a lookup. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/**
 * Writes String(x) for a finite x at `pos` and returns the position after it. It needs room for
 * 26 bytes from pos (the text is at most 25; the layout moves digits within one more).
 */
export function writeShortestNumber(x: number, buf: Uint8Array, pos: number): number {
  ONE[0] = x;
  return writeShortestNumberAt(ONE, 0, buf, pos);
}

/**
 * writeShortestNumber of values[index]. The hot path's form: a double passed as an argument to
 * a function V8 does not inline (this one is too big) is boxed, a heap number a call; read from
 * its array here, it never is (on normalize's output that garbage was ≈ 16 bytes a number).
 */
export function writeShortestNumberAt(values: Float64Array, index: number, buf: Uint8Array, pos: number): number {
  const end = tryWriteShortestAt(values, index, buf, pos);
  if (end >= 0) return end;
  const text = String(values[index]!);
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

/** The slot the single-number forms pass their number through. */
const ONE = new Float64Array(1);

/**
 * Writes String(x) at `pos` and returns the position after it, or −1 when it cannot decide
 * (x not finite, beyond the tables, or a comparison too close to call): then nothing is written.
 */
export function tryWriteShortest(x: number, buf: Uint8Array, pos: number): number {
  ONE[0] = x;
  return tryWriteShortestAt(ONE, 0, buf, pos);
}

/** tryWriteShortest of values[index] (see writeShortestNumberAt). */
export function tryWriteShortestAt(values: Float64Array, at: number, buf: Uint8Array, pos: number): number {
  let x = values[at]!;
  if (x === 0) {
    buf[pos] = ZERO; // String(-0) is "0" too.
    return pos + 1;
  }
  if (x - x !== 0) return -1;
  const t = tables ?? powerTables();
  let negative = false;
  if (x < 0) {
    negative = true;
    x = -x;
  }
  bits[0] = x;
  const high = words[HIGH]!;
  const biased = high >>> 20;
  // A guess of e = floor(log10 x) from the binary exponent, put right by one comparison.
  let e = Math.floor((biased - 1023) * 0.30102999566398120);
  const next = e + 1 - P_MIN;
  if (next >= 0 && next < t.hi.length && x >= t.hi[next]!) e++; // hi[next] is 10^(e + 1)

  // v = x · 10^(16 − e) = top · 1e8 + low + frac, with top and low integers and 0 ≤ frac < 1.
  let topValue = 0;
  let lowValue = 0;
  let frac = 0;
  let index = 0;
  for (let attempt = 0; ; attempt++) {
    const p = 16 - e;
    if (attempt === 2 || p < P_MIN || p > P_MAX) return -1;
    index = p - P_MIN;
    // Error-free product x · hi = vh + error (Dekker), plus x · lo.
    const vh = x * t.hi[index]!;
    const s = SPLIT * x;
    const xHigh = s - (s - x);
    const xLow = x - xHigh;
    const bHigh = t.hiHigh[index]!;
    const bLow = t.hiLow[index]!;
    const error = xHigh * bHigh - vh + xHigh * bLow + xLow * bHigh + xLow * bLow;
    const vl = error + x * t.lo[index]!;
    // vh ≥ 2^53 when v is in range, so it is an integer: split at 10^8 exactly (top · 1e8 and
    // the difference are exact; the floor of a product may be one off, and is put right).
    topValue = Math.floor(vh * 1e-8);
    const whole = Math.floor(vl);
    lowValue = vh - topValue * 1e8 + whole;
    frac = vl - whole;
    if (lowValue < 0) {
      lowValue += 1e8;
      topValue -= 1;
    } else if (lowValue >= 1e8) {
      lowValue -= 1e8;
      topValue += 1;
    }
    if (lowValue < 0 || lowValue >= 1e8) return -1;
    if (topValue < 1e8) e--;
    else if (topValue >= 1e9) e++;
    else break;
  }
  // Both below 2^31: int32 arithmetic from here (% of doubles calls fmod).
  const top = topValue | 0;
  const low = lowValue | 0;

  // The half-ulp bounds, scaled: below is half as wide at a power of two (its lower neighbour is closer).
  const mantissaLow = words[LOW]!;
  const mantissaHigh = high & 0xfffff;
  if (biased < 2) return -1;
  const halfUlp = t.halfUlp[biased]!;
  const above = halfUlp * t.hi[index]! + halfUlp * t.lo[index]!;
  const below = mantissaLow === 0 && mantissaHigh === 0 ? above / 2 : above;

  // m ≥ 1: the multiples of 10^m around v, while one of them is inside. `quotient` is v's floor
  // over 10^m (of `low` up to m = 8, then of `top`), from the last one by a division by 10.
  let chosenTop = top;
  let chosenLow = low;
  let shortened = false;
  let quotient = low;
  for (let m = 1; m <= 16; m++) {
    const unit = UNITS[m]!;
    let rest: number;
    let down: number;
    let up: number;
    if (m <= 8) {
      quotient = (quotient / 10) | 0;
      rest = low - quotient * unit;
      down = rest + frac;
      up = unit - rest - frac;
    } else {
      quotient = ((m === 9 ? top : quotient) / 10) | 0;
      rest = top - quotient * unit;
      down = rest * 1e8 + low + frac;
      up = (unit - rest) * 1e8 - low - frac;
    }
    const lowerRoom = below - down;
    const upperRoom = above - up;
    // The usual cases written out (V8 boxes the doubles passed to a function it does not inline,
    // and this one is too big for it to inline more): neither is inside, the last level stands;
    // exactly one is; else `choice` decides.
    let pick: number;
    if (lowerRoom < -TOLERANCE) {
      if (upperRoom < -TOLERANCE) break;
      pick = upperRoom > TOLERANCE ? UPPER : UNSURE;
    } else if (upperRoom < -TOLERANCE) {
      pick = lowerRoom > TOLERANCE ? LOWER : UNSURE;
    } else {
      CHOICE[0] = down;
      CHOICE[1] = up;
      CHOICE[2] = lowerRoom;
      CHOICE[3] = upperRoom;
      pick = choice();
    }
    if (pick === UNSURE) return -1;
    const step = pick === UPPER ? unit : 0;
    if (m <= 8) {
      chosenLow = low - rest + step;
    } else {
      chosenTop = top - rest + step;
      chosenLow = 0;
    }
    shortened = true;
  }
  if (!shortened) {
    // m = 0: v's floor or ceiling, 17 digits. Each is within 1 of v, so when below > 1 (above ≥
    // below) both are inside and the closer one it is. At a power of two below can be 0.55 (and
    // above 1.1): then the floor may be out, and `choice` decides.
    if (below > 1 + TOLERANCE) {
      if (frac > 0.5 + TOLERANCE) chosenLow = low + 1;
      else if (!(frac < 0.5 - TOLERANCE)) return -1; // a tie: V8 breaks it to even, left to it
    } else {
      CHOICE[0] = frac;
      CHOICE[1] = 1 - frac;
      CHOICE[2] = below - frac;
      CHOICE[3] = above - (1 - frac);
      const pick = choice();
      if (pick === UPPER) chosenLow = low + 1;
      else if (pick !== LOWER) return -1;
    }
  }
  if (chosenLow >= 1e8) {
    chosenLow -= 1e8;
    chosenTop += 1;
  }
  // value = digits × 10^(e − 16), n = e + 1 digits before the point; a carry to 10^17 is one
  // more decade, digits "1" (written as 1 and 16 zeros, which are then dropped).
  let n = e + 1;
  if (chosenTop >= 1e9) {
    chosenTop = 100000000;
    n++;
  }
  if (negative) buf[pos++] = MINUS;
  if (-6 < n && n <= 0) {
    // 0.00123: "0.", −n zeros, the digits (common: every |x| in [0.1, 1) is one).
    buf[pos] = ZERO;
    buf[pos + 1] = DOT;
    for (let i = 0; i < -n; i++) buf[pos + 2 + i] = ZERO;
    const start = pos + 2 - n;
    writeNineDigits(buf, start, chosenTop);
    writeEightDigits(buf, start + 9, chosenLow);
    let end = start + 17;
    while (buf[end - 1] === ZERO) end--; // the first digit is not 0
    return end;
  }
  // Otherwise the 17 digits at pos + 1 (pos is kept free for the moves of `layout`).
  writeNineDigits(buf, pos + 1, chosenTop);
  writeEightDigits(buf, pos + 10, chosenLow);
  let k = 17;
  while (buf[pos + k] === ZERO) k--; // the first digit is not 0
  return layout(buf, pos, k, n);
}

/**
 * Which candidate reads back as x, from the distances to them and how far inside its bound each
 * is: the closer one wins when it is in, so the farther one's side only matters when it is out
 * (an integer's far neighbour often sits exactly on the bound). Within TOLERANCE of a bound, or
 * of a tie, nothing is decided. Its four numbers (down, up, lowerRoom, upperRoom) come in
 * CHOICE, not as arguments: V8 boxes the doubles passed to a function it does not inline (a heap
 * number each), and the 17-digit case of many numbers comes here.
 */
const CHOICE = new Float64Array(4);

function choice(): number {
  const down = CHOICE[0]!;
  const up = CHOICE[1]!;
  const lowerRoom = CHOICE[2]!;
  const upperRoom = CHOICE[3]!;
  if (down < up - TOLERANCE) {
    return lowerRoom > TOLERANCE ? LOWER : lowerRoom >= -TOLERANCE ? UNSURE : upperRoom > TOLERANCE ? UPPER : upperRoom >= -TOLERANCE ? UNSURE : NEITHER;
  }
  if (up < down - TOLERANCE) {
    return upperRoom > TOLERANCE ? UPPER : upperRoom >= -TOLERANCE ? UNSURE : lowerRoom > TOLERANCE ? LOWER : lowerRoom >= -TOLERANCE ? UNSURE : NEITHER;
  }
  return lowerRoom < -TOLERANCE && upperRoom < -TOLERANCE ? NEITHER : UNSURE;
}

/**
 * ECMAScript's layout of the k digits s at buf[pos + 1 ..], worth s × 10^(n − k), for n > 0 or
 * n ≤ −6: moved into place from pos on, with a point, trailing zeros or an exponent.
 */
function layout(buf: Uint8Array, pos: number, k: number, n: number): number {
  if (0 < n && n <= 21) {
    // 12.345: the first n digits one to the left, the point after them; 12300: zeros after.
    for (let i = 0; i < n && i < k; i++) buf[pos + i] = buf[pos + i + 1]!;
    if (k <= n) {
      for (let i = k; i < n; i++) buf[pos + i] = ZERO;
      return pos + n;
    }
    buf[pos + n] = DOT;
    return pos + k + 1;
  }
  // 1.23e+25, 1e-7: the first digit, the point in its place, the exponent after.
  buf[pos] = buf[pos + 1]!;
  pos = k > 1 ? ((buf[pos + 1] = DOT), pos + k + 1) : pos + 1;
  buf[pos++] = LETTER_E;
  let exponent = n - 1;
  if (exponent < 0) {
    buf[pos++] = MINUS;
    exponent = -exponent;
  } else {
    buf[pos++] = PLUS;
  }
  if (exponent >= 100) buf[pos++] = ZERO + ((exponent / 100) | 0);
  if (exponent >= 10) buf[pos++] = ZERO + (((exponent / 10) | 0) % 10);
  buf[pos++] = ZERO + (exponent % 10);
  return pos;
}

/** `a` (< 10^9) as 9 digits at pos, leading zeros included. */
function writeNineDigits(buf: Uint8Array, pos: number, a: number): void {
  const first = (a / 100000000) | 0;
  buf[pos] = ZERO + first;
  writeEightDigits(buf, pos + 1, a - first * 100000000);
}

/** `a` (< 10^8) as 8 digits at pos, two at a time. */
function writeEightDigits(buf: Uint8Array, pos: number, a: number): void {
  const high = (a / 10000) | 0;
  const low = a - high * 10000;
  writeFourDigits(buf, pos, high);
  writeFourDigits(buf, pos + 4, low);
}

function writeFourDigits(buf: Uint8Array, pos: number, a: number): void {
  const high = (a / 100) | 0;
  const low = a - high * 100;
  buf[pos] = PAIRS[2 * high]!;
  buf[pos + 1] = PAIRS[2 * high + 1]!;
  buf[pos + 2] = PAIRS[2 * low]!;
  buf[pos + 3] = PAIRS[2 * low + 1]!;
}

/** 2^k exactly, for −1075 < k < 1024 (two factors where 2^k alone is subnormal). */
function pow2(k: number): number {
  return k >= -1022 ? 2 ** k : 2 ** (k + 60) * 2 ** -60;
}

/** The tables, made on first use (a few ms): also what the WebAssembly writer (./number-rows.ts) computes with. */
export function powerTables(): PowerTables {
  return (tables ??= makeTables());
}

/** The double-double powers of ten, from exact integers. */
function makeTables(): PowerTables {
  const size = P_MAX - P_MIN + 1;
  const hi = new Float64Array(size);
  const lo = new Float64Array(size);
  const hiHigh = new Float64Array(size);
  const hiLow = new Float64Array(size);
  for (let p = P_MIN; p <= P_MAX; p++) {
    const i = p - P_MIN;
    const h = Number(`1e${p}`); // correctly rounded by the parser
    hi[i] = h;
    if (p >= 0) {
      lo[i] = Number(10n ** BigInt(p) - BigInt(h));
    } else {
      // 10^p − h = (1 − h·10^q) / 10^q with q = −p, h = M·2^E exactly.
      const [mantissa, exponent] = decompose(h);
      const tenQ = 10n ** BigInt(-p);
      const twoE = 1n << BigInt(-exponent);
      lo[i] = ratio(twoE - mantissa * tenQ, tenQ * twoE);
    }
    const s = SPLIT * h;
    hiHigh[i] = s - (s - h);
    hiLow[i] = h - hiHigh[i]!;
  }
  const halfUlp = new Float64Array(2048);
  for (let biased = 2; biased < 2047; biased++) halfUlp[biased] = pow2(biased - 1076);
  return { hi, lo, hiHigh, hiLow, halfUlp };
}

/** h = mantissa · 2^exponent for a positive normal double, exponent < 0. */
function decompose(h: number): [bigint, number] {
  bits[0] = h;
  const biased = words[HIGH]! >>> 20;
  const mantissa = (BigInt(words[HIGH]! & 0xfffff) << 32n) | BigInt(words[LOW]!) | (1n << 52n);
  return [mantissa, biased - 1075];
}

/** num / den to 53 bits (for the low part of a power of ten: its own rounding does not matter). */
function ratio(num: bigint, den: bigint): number {
  const negative = num < 0n;
  const a = negative ? -num : num;
  if (a === 0n) return 0;
  const shift = a.toString(2).length - den.toString(2).length - 70;
  const q = shift >= 0 ? (a >> BigInt(shift)) / den : (a << BigInt(-shift)) / den;
  const value = Number(q) * pow2(shift);
  return negative ? -value : value;
}
