// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs; see src/engine/chunk-sums.ts).
//
// The hot loops of src/engine/exact-sum.ts for a column of values in chunks of CHUNK: `measure`
// (extremes, count, largest and smallest nonzero magnitudes) and the two-accumulator sums of
// `addChunk` (Σx) and `addSquaresChunk` (Σx², the squares and their errors), where their
// conditions allow; what a chunk's conditions leave to the bins is left to the caller. The same
// conditions and the same IEEE double operations (WebAssembly has no fused multiply-add: nothing
// is contracted), but two lanes at a time (f64x2): the even and the odd values of a chunk each
// run their own pair from the same base, and the two are added at the end. Each lane's pair is
// exact under the same bounds as one pair over the whole chunk, and so is their sum (its parts
// are bounded by the whole chunk's), so a chunk's parts add up to the same exact sum as the
// JavaScript's, though each part may differ. It repeats that code on purpose: the two cannot
// share it, and test/engine/chunk-sums.test.ts holds them together.

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

@inline function at(values: usize, k: i32): f64 {
  return load<f64>(values + (<usize>k << 3));
}

/** Both lanes of `v` with NaN (a missing value) as 0, which leaves a pair as it is. */
@inline function present(v: v128): v128 {
  return v128.and(v, f64x2.eq(v, v));
}

/** The two lanes' parts of a pair from `base`, added: exact (see the header). */
@inline function highPart(high: v128, base: f64): f64 {
  return (f64x2.extract_lane(high, 0) - base) + (f64x2.extract_lane(high, 1) - base);
}

@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Extremes of values[i..end) as `measure` finds them going value by value (the first of equal ones kept). */
@inline function scalarExtremes(values: usize, i: i32, end: i32, record: usize): void {
  let lo: f64 = Infinity;
  let hi: f64 = -Infinity;
  for (let k = i; k < end; k++) {
    const x = at(values, k);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  store<f64>(record, lo);
  store<f64>(record, hi, 8);
}

/**
 * values[0..length) in chunks of CHUNK, chunk c's record (RECORD) at f64 index c·RECORD of `out`;
 * values[length] must be a NaN (read as the pair of an odd last value). Returns the chunks.
 */
export function chunks(values: usize, length: i32, out: usize): i32 {
  let c = 0;
  for (let i = 0; i < length; i += CHUNK, c++) {
    const end = min(length, i + CHUNK);
    // Two at a time up to `pairs`: a chunk of odd length (the call's last) reads the NaN the caller
    // puts after the values, a missing value, which no extreme takes and no sum adds.
    const pairs = i + ((end - i + 1) & ~1);
    const record = out + (<usize>(c * RECORD) << 3);
    // measure: each lane keeps the first of its equal extremes, as value by value
    let lo2 = f64x2.splat(Infinity);
    let hi2 = f64x2.splat(-Infinity);
    let smallest2 = f64x2.splat(Infinity);
    let missing2 = i64x2.splat(0);
    const zero2 = f64x2.splat(0);
    for (let k = i; k < pairs; k += 2) {
      const x = v128.load(values + (<usize>k << 3));
      lo2 = f64x2.pmin(lo2, x);
      hi2 = f64x2.pmax(hi2, x);
      const size = f64x2.abs(x);
      smallest2 = v128.bitselect(size, smallest2, v128.and(f64x2.lt(size, smallest2), f64x2.ne(size, zero2)));
      missing2 = i64x2.sub(missing2, f64x2.ne(x, x));
    }
    const lo0 = f64x2.extract_lane(lo2, 0);
    const lo1 = f64x2.extract_lane(lo2, 1);
    const hi0 = f64x2.extract_lane(hi2, 0);
    const hi1 = f64x2.extract_lane(hi2, 1);
    let lo: f64 = lo1 < lo0 ? lo1 : lo0;
    let hi: f64 = hi1 > hi0 ? hi1 : hi0;
    const smallest: f64 = min(f64x2.extract_lane(smallest2, 0), f64x2.extract_lane(smallest2, 1));
    const missing = <i32>(i64x2.extract_lane(missing2, 0) + i64x2.extract_lane(missing2, 1));
    store<f64>(record, lo);
    store<f64>(record, hi, 8);
    // Equal extremes of both signs of zero in the two lanes: which came first is known only in order.
    if ((lo0 == lo1 && reinterpret<u64>(lo0) != reinterpret<u64>(lo1)) || (hi0 == hi1 && reinterpret<u64>(hi0) != reinterpret<u64>(hi1))) {
      scalarExtremes(values, i, end, record);
      lo = load<f64>(record);
      hi = load<f64>(record, 8);
    }
    const count = pairs - i - missing;
    const largest: f64 = count == 0 ? 0 : Math.max(-lo, hi);
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
      let high = f64x2.splat(base);
      let low = f64x2.splat(0);
      for (let k = i; k < pairs; k += 2) {
        const x = present(v128.load(values + (<usize>k << 3)));
        const s = f64x2.add(high, x);
        const q = f64x2.sub(s, high);
        high = s;
        low = f64x2.add(low, f64x2.sub(x, q));
      }
      store<f64>(record, 1, 40);
      store<f64>(record, highPart(high, base), 48);
      store<f64>(record, lanes(low), 56);
    }
    // addSquaresChunk's pairs
    if (largest >= SQUARE_HIGH || smallest < SQUARE_LOW) continue;
    const eH = exponentOf(largest * largest);
    const eh = exponentOf(smallest * smallest);
    if (eH - (eh - 52) <= PAIR_RANGE && eH - 53 - (2 * em - 104) <= PAIR_RANGE) {
      const base = 1.5 * powerOfTwo(eH + PAIR_HEADROOM);
      const errorBase = 1.5 * powerOfTwo(eH - 53 + PAIR_HEADROOM);
      const splitter = f64x2.splat(SPLITTER);
      const two = f64x2.splat(2);
      let high = f64x2.splat(base);
      let low = f64x2.splat(0);
      let errorHigh = f64x2.splat(errorBase);
      let errorLow = f64x2.splat(0);
      for (let k = i; k < pairs; k += 2) {
        const x = present(v128.load(values + (<usize>k << 3)));
        const h = f64x2.mul(x, x);
        const cc = f64x2.mul(splitter, x);
        const xh = f64x2.sub(cc, f64x2.sub(cc, x));
        const xl = f64x2.sub(x, xh);
        // xh·xh − h + 2·xh·xl + xl·xl, left to right
        const l = f64x2.add(f64x2.add(f64x2.sub(f64x2.mul(xh, xh), h), f64x2.mul(f64x2.mul(two, xh), xl)), f64x2.mul(xl, xl));
        const s = f64x2.add(high, h);
        const q = f64x2.sub(s, high);
        high = s;
        low = f64x2.add(low, f64x2.sub(h, q));
        const t = f64x2.add(errorHigh, l);
        const r = f64x2.sub(t, errorHigh);
        errorHigh = t;
        errorLow = f64x2.add(errorLow, f64x2.sub(l, r));
      }
      store<f64>(record, 1, 64);
      store<f64>(record, highPart(high, base), 72);
      store<f64>(record, lanes(low), 80);
      store<f64>(record, highPart(errorHigh, errorBase), 88);
      store<f64>(record, lanes(errorLow), 96);
    }
  }
  return c;
}
