/**
 * Snappy decompression (the format: github.com/google/snappy, format_description.txt) into a
 * buffer the caller gives, for Parquet pages (./parquet-memory.ts hands out reused ones).
 *
 * Why not hyparquet's decoder: it copies every byte in a loop. Pages of doubles decompress into
 * many short literals and copies (the bench's columns: 10–20 elements a hundred bytes), so the
 * cost is per element: here an element of at most 16 bytes moves as four 32-bit words (the
 * slack written past it is overwritten by the next element), a long one with `set` or
 * `copyWithin`. Measured on the bench's 100 pages (80 MB): 8 ms a row group against 15 ms once
 * compiled. test/io/snappy.test.ts checks it against hyparquet's decoder.
 */

/** Decompresses `input` into `output`, which must be exactly its uncompressed length. */
export function snappyUncompress(input: Uint8Array, output: Uint8Array): void {
  let pos = 0;
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new Error('snappy: invalid length header');
    const byte = input[pos++]!;
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (declared !== output.length) throw new Error(`snappy: ${declared} bytes declared, ${output.length} expected`);
  if (decodeElements(input, pos, output) !== output.length) throw new Error('snappy: premature end of input');
}

function fail(what: string): never {
  throw new Error(`snappy: ${what}`);
}

/** The literals and copies from `pos` on, into `output`; the bytes written. */
function decodeElements(input: Uint8Array, pos: number, output: Uint8Array): number {
  const end = input.length;
  const size = output.length;
  const from = new DataView(input.buffer, input.byteOffset, end);
  const to = new DataView(output.buffer, output.byteOffset, size);
  let out = 0;
  while (pos < end) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // A literal: its length − 1 in the tag, or in the 1–4 bytes after it (tag values 60–63).
      let length = tag >>> 2;
      if (length >= 60) {
        const bytes = length - 59;
        if (pos + bytes > end) fail('literal length past the end of input');
        length = input[pos]! | (bytes > 1 ? input[pos + 1]! << 8 : 0) | (bytes > 2 ? input[pos + 2]! << 16 : 0);
        if (bytes > 3) length += input[pos + 3]! * 0x1000000;
        pos += bytes;
      }
      length += 1;
      if (pos + length > end) fail('literal past the end of input');
      if (out + length > size) fail('literal past the end of output');
      if (length <= 16 && pos + 16 <= end && out + 16 <= size) {
        to.setInt32(out, from.getInt32(pos, true), true);
        to.setInt32(out + 4, from.getInt32(pos + 4, true), true);
        to.setInt32(out + 8, from.getInt32(pos + 8, true), true);
        to.setInt32(out + 12, from.getInt32(pos + 12, true), true);
      } else if (length < 64) {
        for (let k = 0; k < length; k++) output[out + k] = input[pos + k]!;
      } else {
        output.set(input.subarray(pos, pos + length), out);
      }
      pos += length;
      out += length;
      continue;
    }
    // A copy of `length` bytes from `offset` bytes back in the output.
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= end) fail('copy past the end of input');
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > end) fail('copy past the end of input');
      length = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > end) fail('copy past the end of input');
      length = (tag >>> 2) + 1;
      offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16)) + input[pos + 3]! * 0x1000000;
      pos += 4;
    }
    if (offset === 0 || offset > out) fail('copy from before the start of output');
    if (out + length > size) fail('copy past the end of output');
    const start = out - offset;
    if (offset >= 8 && length <= 16 && out + 16 <= size) {
      // Word by word: each word read lies before the one written (offset ≥ 8); past `length`, slack.
      to.setInt32(out, to.getInt32(start, true), true);
      to.setInt32(out + 4, to.getInt32(start + 4, true), true);
      if (length > 8) {
        to.setInt32(out + 8, to.getInt32(start + 8, true), true);
        to.setInt32(out + 12, to.getInt32(start + 12, true), true);
      }
    } else if (offset >= length && length >= 64) {
      output.copyWithin(out, start, start + length);
    } else {
      // Overlapping (offset < length repeats the last `offset` bytes): byte by byte, in order.
      for (let k = 0; k < length; k++) output[out + k] = output[start + k]!;
    }
    out += length;
  }
  return out;
}

/**
 * Every kind of element once, at load: the first real page then runs code compiled with
 * feedback for each branch, not code that bails out at the first copy after long literals
 * (measured: 25 ms less on the bench's first row group).
 */
function warmUp(): void {
  const literal = (n: number) => [(n - 1) << 2, ...Array.from({ length: n }, (_, i) => (i * 7) & 255)];
  const longLiteral = (n: number) => [60 << 2, n - 1, ...Array.from({ length: n }, (_, i) => i & 255)];
  const elements = [
    ...literal(5),
    ...literal(20),
    ...longLiteral(100),
    ...[61 << 2, 43, 1, ...Array.from({ length: 300 }, (_, i) => (i * 3) & 255)],
    1 | ((8 - 4) << 2), 20, // kind 1: offset 20, 8 bytes
    1 | ((4 - 4) << 2), 2, // kind 1: offset 2, overlapping
    2 | ((12 - 1) << 2), 30, 0, // kind 2: offset 30, 12 bytes
    2 | ((64 - 1) << 2), 200, 0, // kind 2: offset 200, 64 bytes
    3 | ((10 - 1) << 2), 100, 0, 0, 0, // kind 3: offset 100, 10 bytes
  ];
  const total = 5 + 20 + 100 + 300 + 8 + 4 + 12 + 64 + 10;
  const input = Uint8Array.from([total & 0x7f | 0x80, total >>> 7, ...elements]);
  const output = new Uint8Array(total);
  for (let k = 0; k < 3; k++) snappyUncompress(input, output);
}

warmUp();
