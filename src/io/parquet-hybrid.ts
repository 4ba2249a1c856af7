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
  if (width < 0 || width > 32) throw new Error(`parquet RLE bit width ${width}`);
  const valueBytes = (width + 7) >>> 3;
  let seen = 0;
  while (seen < out.length) {
    // The run's header: an unsigned LEB128 varint.
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= end || shift > 28) throw new Error('parquet RLE run header past the end of its page');
      const byte = bytes[at++]!;
      header += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    const count = Math.floor(header / 2);
    if (header % 2 === 0) {
      // A repeated value: `count` times the value in the next (width + 7) / 8 bytes.
      if (at + valueBytes > end) throw new Error('parquet RLE run past the end of its page');
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += bytes[at + k]! * 2 ** (8 * k);
      at += valueBytes;
      const stop = Math.min(out.length, seen + count);
      out.fill(value, seen, stop);
      seen = stop;
    } else {
      // `count` groups of 8 values, packed from the lowest bit of each byte up.
      const runBytes = count * width;
      const values = Math.min(count * 8, out.length - seen);
      if (at + Math.ceil((values * width) / 8) > end) throw new Error('parquet bit-packed run past the end of its page');
      unpack(bytes, at, end, width, out, seen, values);
      seen += values;
      at += runBytes;
    }
  }
}

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
