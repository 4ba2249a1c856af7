// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs; see src/engine/chunk-sums.ts).
//
// The hot loops of src/engine/exact-sum.ts, operation for operation, for a column of values in
// chunks of CHUNK: `measure` (extremes, count, largest and smallest nonzero magnitudes) and the
// two-accumulator sums of `addChunk` (Σx) and `addSquaresChunk` (Σx², the squares and their
// errors), where their conditions allow; the same IEEE double operations in the same order, so
// the same exact parts (WebAssembly has no fused multiply-add: nothing is contracted). What a
// chunk's conditions leave to the bins is left to the caller. It repeats that code on purpose:
// the two cannot share it, and test/engine/chunk-sums.test.ts holds them together.

const CHUNK: i32 = 512;
const PAIR_HEADROOM: i32 = 12;
const PAIR_RANGE: i32 = 85;
const PAIR_LOWEST: i32 = -960;
const PAIR_HIGHEST: i32 = 960;
const SPLITTER: f64 = 134217729;
const SQUARE_LOW: f64 = reinterpret<f64>(<u64>(1023 - 400) << 52); // 2^-400
const SQUARE_HIGH: f64 = reinterpret<f64>(<u64>(1023 + 486) << 52); // 2^486

/**
 * What `chunks` writes a chunk, in f64s: 0 min, 1 max, 2 count, 3 largest (0: nothing to sum),
 * 4 smallest; 5 whether Σx's pair was taken (1; 0: the chunk is the bins' to sum), 6 and 7 its
 * parts (high − base, low); 8 whether Σx²'s pairs were taken, 9 to 12 their parts (high − base,
 * low, errorHigh − errorBase, errorLow).
 */
export const RECORD: i32 = 13;

/** Where memory free for the caller begins (above this module's constants). */
export function freeMemory(): usize {
  return (__heap_base + 15) & ~15;
}

@inline function exponentOf(x: f64): i32 {
  return <i32>((reinterpret<u64>(x) >> 52) & 0x7ff) - 1023;
}

@inline function powerOfTwo(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** values[0..length) in chunks of CHUNK, chunk c's record (RECORD) at f64 index c·RECORD of `out`. Returns the chunks. */
export function chunks(values: usize, length: i32, out: usize): i32 {
  let c = 0;
  for (let i = 0; i < length; i += CHUNK, c++) {
    const end = min(length, i + CHUNK);
    const record = out + (<usize>(c * RECORD) << 3);
    // measure
    let lo: f64 = Infinity;
    let hi: f64 = -Infinity;
    let smallest: f64 = Infinity;
    let missing = 0;
    for (let k = i; k < end; k++) {
      const x = load<f64>(values + (<usize>k << 3));
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      const size = Math.abs(x);
      if (size < smallest && size != 0) smallest = size;
      if (x != x) missing++;
    }
    const count = end - i - missing;
    const largest: f64 = count == 0 ? 0 : Math.max(-lo, hi);
    store<f64>(record, lo);
    store<f64>(record, hi, 8);
    store<f64>(record, <f64>count, 16);
    store<f64>(record, largest, 24);
    store<f64>(record, smallest, 32);
    store<f64>(record, 0, 40);
    store<f64>(record, 0, 64);
    if (count == 0 || largest == 0) continue;
    // addChunk's pair
    const eM = exponentOf(largest);
    const em = exponentOf(smallest);
    if (eM - (em - 52) <= PAIR_RANGE && em >= PAIR_LOWEST && eM <= PAIR_HIGHEST) {
      const base = 1.5 * powerOfTwo(eM + PAIR_HEADROOM);
      let high = base;
      let low: f64 = 0;
      for (let k = i; k < end; k++) {
        const x = load<f64>(values + (<usize>k << 3));
        if (x != x) continue;
        const s = high + x;
        const q = s - high;
        high = s;
        low += x - q;
      }
      store<f64>(record, 1, 40);
      store<f64>(record, high - base, 48);
      store<f64>(record, low, 56);
    }
    // addSquaresChunk's pair
    if (largest >= SQUARE_HIGH || smallest < SQUARE_LOW) continue;
    const eH = exponentOf(largest * largest);
    const eh = exponentOf(smallest * smallest);
    if (eH - (eh - 52) <= PAIR_RANGE && eH - 53 - (2 * em - 104) <= PAIR_RANGE) {
      const base = 1.5 * powerOfTwo(eH + PAIR_HEADROOM);
      const errorBase = 1.5 * powerOfTwo(eH - 53 + PAIR_HEADROOM);
      let high = base;
      let low: f64 = 0;
      let errorHigh = errorBase;
      let errorLow: f64 = 0;
      for (let k = i; k < end; k++) {
        const x = load<f64>(values + (<usize>k << 3));
        if (x != x) continue;
        const h = x * x;
        const cc = SPLITTER * x;
        const xh = cc - (cc - x);
        const xl = x - xh;
        const l = xh * xh - h + 2 * xh * xl + xl * xl;
        const s = high + h;
        const q = s - high;
        high = s;
        low += h - q;
        const t = errorHigh + l;
        const r = t - errorHigh;
        errorHigh = t;
        errorLow += l - r;
      }
      store<f64>(record, 1, 64);
      store<f64>(record, high - base, 72);
      store<f64>(record, low, 80);
      store<f64>(record, errorHigh - errorBase, 88);
      store<f64>(record, errorLow, 96);
    }
  }
  return c;
}
