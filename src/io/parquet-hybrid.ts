/**
 * Parquet's RLE / bit-packed hybrid encoding (the format: parquet-format, Encodings.md), which
 * holds a page's definition levels and its dictionary indices, decoded into a typed array.
 *
 * Why not hyparquet's readRleBitPackedHybrid: it takes a value a bit at a time through a DataView,
 * into any kind of array, so its loop is compiled for all of them at once. On the bench's
 * dictionary-encoded column (a million indices of 5 bits) it took 22 ms of a 0.6 s `bn stats`;
 * here a value is one 32-bit read of the bytes under it. test/io/parquet-hybrid.test.ts checks it
 * against hyparquet's decoder.
 */

/**
 * Fills `out` with the values of `width` bits encoded in `bytes` from `at` up to `end` (the runs
 * may encode more: a bit-packed run is a multiple of 8 values, and the rest are padding).
 */
export function readHybrid(bytes: Uint8Array, at: number, end: number, width: number, out: Int32Array | Uint8Array): void {
  forEachRun(
    bytes,
    at,
    end,
    width,
    out.length,
    (value, from, to) => out.fill(value, from, to),
    (start, from, values) => unpack(bytes, start, end, width, out, from, values),
  );
}

/**
 * How many of the first `count` values of `width` bits encoded in `bytes` from `at` up to `end`
 * are `target`, without writing them anywhere: a repeated run counts at once, a bit-packed run of
 * one-bit values by the bits set in its bytes, any other run value by value (through `scratch`,
 * of 8 or more). For a page's definition levels, all at the column's maximum when none is
 * missing: the page then needs no levels at all. The same runs and errors as readHybrid.
 */
export function countHybrid(bytes: Uint8Array, at: number, end: number, width: number, count: number, target: number, scratch: Int32Array): number {
  let hits = 0;
  forEachRun(
    bytes,
    at,
    end,
    width,
    count,
    (value, from, to) => {
      if (value === target) hits += to - from;
    },
    (start, _from, values) => {
      if (width === 1) {
        const ones = setBits(bytes, start, values);
        hits += target === 1 ? ones : target === 0 ? values - ones : 0;
        return;
      }
      for (let done = 0; done < values; done += 8) {
        const group = Math.min(8, values - done);
        unpack(bytes, start + (done / 8) * width, end, width, scratch, 0, group);
        for (let k = 0; k < group; k++) if (scratch[k]! >>> 0 === target) hits++;
      }
    },
  );
  return hits;
}

/**
 * The runs that hold the first `count` values: each repeated run as its value and the values it
 * fills [from, to), each bit-packed run as where its bytes start and the values it holds from
 * `from` on (a last group's padding left out).
 */
function forEachRun(
  bytes: Uint8Array,
  at: number,
  end: number,
  width: number,
  count: number,
  repeated: (value: number, from: number, to: number) => void,
  packed: (start: number, from: number, values: number) => void,
): void {
  if (width < 0 || width > 32) throw new Error(`parquet RLE bit width ${width}`);
  const valueBytes = (width + 7) >>> 3;
  let seen = 0;
  while (seen < count) {
    // The run's header: an unsigned LEB128 varint.
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= end || shift > 28) throw new Error('parquet RLE run header past the end of its page');
      const byte = bytes[at++]!;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    const runCount = Math.floor(header / 2);
    if (header % 2 === 0) {
      // A repeated value: `runCount` times the value in the next (width + 7) / 8 bytes.
      if (at + valueBytes > end) throw new Error('parquet RLE run past the end of its page');
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += bytes[at + k]! * 2 ** (8 * k);
      at += valueBytes;
      const stop = Math.min(count, seen + runCount);
      repeated(value, seen, stop);
      seen = stop;
    } else {
      // `runCount` groups of 8 values, packed from the lowest bit of each byte up.
      const values = Math.min(runCount * 8, count - seen);
      if (at + Math.ceil((values * width) / 8) > end) throw new Error('parquet bit-packed run past the end of its page');
      packed(at, seen, values);
      seen += values;
      at += runCount * width;
    }
  }
}

/** The bits set among the first `bits` bits of bytes[at…], lowest bit of each byte first. */
function setBits(bytes: Uint8Array, at: number, bits: number): number {
  let n = 0;
  const whole = bits >>> 3;
  for (let k = 0; k < whole; k++) n += BITS_SET[bytes[at + k]!]!;
  const rest = bits & 7;
  if (rest > 0) n += BITS_SET[bytes[at + whole]! & ((1 << rest) - 1)]!;
  return n;
}

const BITS_SET = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v !== 0; v >>>= 1) n += v & 1;
  return n;
});

/** `values` values of `width` bits packed from `bytes[at]` on, into `out` from `seen`. */
function unpack(bytes: Uint8Array, at: number, end: number, width: number, out: Int32Array | Uint8Array, seen: number, values: number): void {
  if (width === 0) {
    out.fill(0, seen, seen + values);
    return;
  }
  const mask = width === 32 ? -1 : (1 << width) - 1;
  for (let k = 0; k < values; k++) {
    const bit = k * width;
    const p = at + (bit >>> 3);
    const shift = bit & 7;
    // The 4 bytes from p (or fewer at the end of the page: the value's own bits are there).
    let word: number;
    if (p + 4 <= end) word = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    else {
      word = 0;
      for (let q = p; q < end && q < p + 4; q++) word |= bytes[q]! << (8 * (q - p));
    }
    let value = word >>> shift;
    // A value of more than 25 bits may reach into a fifth byte.
    if (width + shift > 32) value |= (p + 4 < end ? bytes[p + 4]! : 0) << (32 - shift);
    out[seen + k] = value & mask;
  }
}
