// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs; see src/io/fast/number-rows.ts).
//
// src/io/fast/shortest-number.ts's tryWriteShortestAt, operation for operation: the same IEEE
// double operations in the same order on the same tables (which the caller computes and copies
// in: setTables), the same integer steps where it truncates to int32, so the same digits, or the
// same refusal (−1) where it cannot decide; only the digits are written eight at a time
// (writeEightDigits). It repeats that code on purpose: the two cannot share it, and
// test/io/fast/number-rows.test.ts holds them together. Then whole rows of numbers written as
// CSV, for a batch whose every cell is a value.

const TOLERANCE: f64 = 1e-9;
const P_MIN: i32 = -270;
const P_MAX: i32 = 300;
const SPLIT: f64 = 134217729;

const MINUS: u8 = 0x2d;
const DOT: u8 = 0x2e;
const ZERO: i32 = 0x30;
const LETTER_E: u8 = 0x65;
const PLUS: u8 = 0x2b;
const LF: u8 = 0x0a;

const LOWER: i32 = 1;
const UPPER: i32 = 2;
const NEITHER: i32 = 0;
const UNSURE: i32 = -1;

/** 10^m for m ≤ 8, then 10^(m − 8). */
const UNITS: StaticArray<i32> = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

/** String(x) written at `at` by the caller (for what this does not decide); returns where it ends. */
@external("env", "writeString")
declare function writeString(x: f64, at: usize): usize;

// The tables of shortest-number.ts, by index p − P_MIN (halfUlp by biased exponent).
let hiTable: usize = 0;
let loTable: usize = 0;
let hiHighTable: usize = 0;
let hiLowTable: usize = 0;
let halfUlpTable: usize = 0;
const TABLE_SIZE: i32 = P_MAX - P_MIN + 1;

/** Where memory free for the caller begins (above this module's constants). */
export function freeMemory(): usize {
  return (__heap_base + 15) & ~15;
}

/** Where the caller put the tables. */
export function setTables(hi: usize, lo: usize, hiHigh: usize, hiLow: usize, halfUlp: usize): void {
  hiTable = hi;
  loTable = lo;
  hiHighTable = hiHigh;
  hiLowTable = hiLow;
  halfUlpTable = halfUlp;
}

@inline function table(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

// choice()'s four numbers.
let cDown: f64 = 0;
let cUp: f64 = 0;
let cLowerRoom: f64 = 0;
let cUpperRoom: f64 = 0;

function choice(): i32 {
  const down = cDown;
  const up = cUp;
  const lowerRoom = cLowerRoom;
  const upperRoom = cUpperRoom;
  if (down < up - TOLERANCE) {
    return lowerRoom > TOLERANCE ? LOWER : lowerRoom >= -TOLERANCE ? UNSURE : upperRoom > TOLERANCE ? UPPER : upperRoom >= -TOLERANCE ? UNSURE : NEITHER;
  }
  if (up < down - TOLERANCE) {
    return upperRoom > TOLERANCE ? UPPER : upperRoom >= -TOLERANCE ? UNSURE : lowerRoom > TOLERANCE ? LOWER : lowerRoom >= -TOLERANCE ? UNSURE : NEITHER;
  }
  return lowerRoom < -TOLERANCE && upperRoom < -TOLERANCE ? NEITHER : UNSURE;
}

/** String(x) at `pos` for a finite x, and where it ends; −1 (nothing written) where it cannot decide. */
export function tryWriteShortest(value: f64, pos: usize): isize {
  let x = value;
  if (x == 0) {
    store<u8>(pos, <u8>ZERO);
    return <isize>(pos + 1);
  }
  if (x - x != 0) return -1;
  let negative = false;
  if (x < 0) {
    negative = true;
    x = -x;
  }
  const bitsOfX = reinterpret<u64>(x);
  const high = <u32>(bitsOfX >>> 32);
  const biased = <i32>(high >>> 20);
  let e = <i32>Math.floor(<f64>(biased - 1023) * 0.3010299956639812);
  const next = e + 1 - P_MIN;
  if (next >= 0 && next < TABLE_SIZE && x >= table(hiTable, next)) e++;

  let topValue: f64 = 0;
  let lowValue: f64 = 0;
  let frac: f64 = 0;
  let index = 0;
  for (let attempt = 0; ; attempt++) {
    const p = 16 - e;
    if (attempt == 2 || p < P_MIN || p > P_MAX) return -1;
    index = p - P_MIN;
    const vh = x * table(hiTable, index);
    const s = SPLIT * x;
    const xHigh = s - (s - x);
    const xLow = x - xHigh;
    const bHigh = table(hiHighTable, index);
    const bLow = table(hiLowTable, index);
    const error = xHigh * bHigh - vh + xHigh * bLow + xLow * bHigh + xLow * bLow;
    const vl = error + x * table(loTable, index);
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
  const top = <i32>topValue;
  const low = <i32>lowValue;

  const mantissaLow = <u32>bitsOfX;
  const mantissaHigh = high & 0xfffff;
  if (biased < 2) return -1;
  const halfUlp = table(halfUlpTable, biased);
  const above = halfUlp * table(hiTable, index) + halfUlp * table(loTable, index);
  const below = mantissaLow == 0 && mantissaHigh == 0 ? above / 2 : above;

  let chosenTop = top;
  let chosenLow = low;
  let shortened = false;
  let quotient = low;
  for (let m = 1; m <= 16; m++) {
    const unit = unchecked(UNITS[m]);
    let rest: i32;
    let down: f64;
    let up: f64;
    if (m <= 8) {
      quotient = quotient / 10;
      rest = low - quotient * unit;
      down = <f64>rest + frac;
      up = <f64>(unit - rest) - frac;
    } else {
      quotient = (m == 9 ? top : quotient) / 10;
      rest = top - quotient * unit;
      down = <f64>rest * 1e8 + <f64>low + frac;
      up = <f64>(unit - rest) * 1e8 - <f64>low - frac;
    }
    const lowerRoom = below - down;
    const upperRoom = above - up;
    let pick: i32;
    if (lowerRoom < -TOLERANCE) {
      if (upperRoom < -TOLERANCE) break;
      pick = upperRoom > TOLERANCE ? UPPER : UNSURE;
    } else if (upperRoom < -TOLERANCE) {
      pick = lowerRoom > TOLERANCE ? LOWER : UNSURE;
    } else {
      cDown = down;
      cUp = up;
      cLowerRoom = lowerRoom;
      cUpperRoom = upperRoom;
      pick = choice();
    }
    if (pick == UNSURE) return -1;
    const step = pick == UPPER ? unit : 0;
    if (m <= 8) {
      chosenLow = low - rest + step;
    } else {
      chosenTop = top - rest + step;
      chosenLow = 0;
    }
    shortened = true;
  }
  if (!shortened) {
    if (below > 1 + TOLERANCE) {
      if (frac > 0.5 + TOLERANCE) chosenLow = low + 1;
      else if (!(frac < 0.5 - TOLERANCE)) return -1;
    } else {
      cDown = frac;
      cUp = 1 - frac;
      cLowerRoom = below - frac;
      cUpperRoom = above - (1 - frac);
      const pick = choice();
      if (pick == UPPER) chosenLow = low + 1;
      else if (pick != LOWER) return -1;
    }
  }
  if (chosenLow >= 100000000) {
    chosenLow -= 100000000;
    chosenTop += 1;
  }
  let n = e + 1;
  if (chosenTop >= 1000000000) {
    chosenTop = 100000000;
    n++;
  }
  let at = pos;
  if (negative) store<u8>(at++, MINUS);
  if (-6 < n && n <= 0) {
    store<u8>(at, <u8>ZERO);
    store<u8>(at + 1, DOT);
    for (let i = 0; i < -n; i++) store<u8>(at + 2 + <usize>i, <u8>ZERO);
    const start = at + 2 + <usize>(-n);
    writeNineDigits(start, chosenTop);
    writeEightDigits(start + 9, chosenLow);
    let end = start + 17;
    while (load<u8>(end - 1) == <u8>ZERO) end--;
    return <isize>end;
  }
  writeNineDigits(at + 1, chosenTop);
  writeEightDigits(at + 10, chosenLow);
  let k = 17;
  while (load<u8>(at + <usize>k) == <u8>ZERO) k--;
  return <isize>layout(at, k, n);
}

function layout(pos: usize, k: i32, n: i32): usize {
  if (0 < n && n <= 21) {
    for (let i = 0; i < n && i < k; i++) store<u8>(pos + <usize>i, load<u8>(pos + <usize>i + 1));
    if (k <= n) {
      for (let i = k; i < n; i++) store<u8>(pos + <usize>i, <u8>ZERO);
      return pos + <usize>n;
    }
    store<u8>(pos + <usize>n, DOT);
    return pos + <usize>k + 1;
  }
  store<u8>(pos, load<u8>(pos + 1));
  let at: usize;
  if (k > 1) {
    store<u8>(pos + 1, DOT);
    at = pos + <usize>k + 1;
  } else {
    at = pos + 1;
  }
  store<u8>(at++, LETTER_E);
  let exponent = n - 1;
  if (exponent < 0) {
    store<u8>(at++, MINUS);
    exponent = -exponent;
  } else {
    store<u8>(at++, PLUS);
  }
  if (exponent >= 100) store<u8>(at++, <u8>(ZERO + exponent / 100));
  if (exponent >= 10) store<u8>(at++, <u8>(ZERO + (exponent / 10) % 10));
  store<u8>(at++, <u8>(ZERO + exponent % 10));
  return at;
}

@inline function writeNineDigits(pos: usize, a: i32): void {
  const first = a / 100000000;
  store<u8>(pos, <u8>(ZERO + first));
  writeEightDigits(pos + 1, a - first * 100000000);
}

/**
 * `a` (< 10^8) as 8 digits at pos, all at once in one 64-bit word: split in two halves of four
 * digits (one lane of 32 bits each), each into two of two (lanes of 16), each into two digits
 * (lanes of 8), each division by 100 or 10 a multiplication and a shift that is exact below
 * the lane's bound; then '0' added to each byte (little-endian: the first digit lowest).
 */
@inline function writeEightDigits(pos: usize, a: i32): void {
  const high = <u64>(a / 10000);
  const low = <u64>(a - (a / 10000) * 10000);
  const fours: u64 = high | (low << 32);
  const hundreds: u64 = ((fours * 10486) >> 20) & 0x0000007f0000007f;
  const pairs: u64 = ((fours - hundreds * 100) << 16) | hundreds;
  const tens: u64 = ((pairs * 103) >> 10) & 0x000f000f000f000f;
  const digits: u64 = ((pairs - tens * 10) << 8) | tens;
  store<u64>(pos, digits | 0x3030303030303030);
}

/**
 * Rows [0, rows) of `width` values each — row i's value j at f64 index j·rowRoom + i of
 * `values` — as CSV lines at `out`: the numbers as String(x) writes them, the delimiter between,
 * an LF after each. Returns the bytes written, or −1 at a NaN (a missing cell: not for this).
 * Each number takes at most 25 bytes, and 26 of room.
 */
export function writeRows(values: usize, rowRoom: i32, rows: i32, width: i32, delimiter: i32, out: usize): isize {
  let p = out;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) {
      if (j > 0) store<u8>(p++, <u8>delimiter);
      const x = load<f64>(values + ((<usize>j * <usize>rowRoom + <usize>i) << 3));
      if (x != x) return -1;
      const end = tryWriteShortest(x, p);
      p = end >= 0 ? <usize>end : writeString(x, p);
    }
    store<u8>(p++, LF);
  }
  return <isize>(p - out);
}
