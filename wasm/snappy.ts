// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs; see src/io/snappy.ts).
//
// The elements of a Snappy stream (the format: github.com/google/snappy, format_description.txt)
// after its length header: literals and copies, from input bytes [src, srcEnd) into output
// bytes [dst, dstEnd). Both regions must have SLACK bytes of room after them in this memory:
// a short element moves as one 16-byte load and store, whatever its length (the bytes past it
// are written over by the next element, or are past the output and never read).

/** Bytes past each region an element may read or write. */
export const SLACK: i32 = 16;

// What `decode` returns for a stream it refuses (the caller names each).
export const LITERAL_LENGTH_PAST_INPUT: i32 = -1;
export const LITERAL_PAST_INPUT: i32 = -2;
export const LITERAL_PAST_OUTPUT: i32 = -3;
export const COPY_PAST_INPUT: i32 = -4;
export const COPY_BEFORE_OUTPUT: i32 = -5;
export const COPY_PAST_OUTPUT: i32 = -6;

/** Where memory free for the caller begins (above this module's constants). */
export function freeMemory(): usize {
  return (__heap_base + 15) & ~15;
}

/** Decodes the elements; returns the bytes written, or one of the refusals above. */
export function decode(src: usize, srcEnd: usize, dst: usize, dstEnd: usize): i32 {
  let s = src;
  let d = dst;
  while (s < srcEnd) {
    const tag = <u32>load<u8>(s++);
    const kind = tag & 3;
    if (kind == 0) {
      // A literal: its length − 1 in the tag, or in the 1–4 bytes after it (tag values 60–63).
      let length = <u64>(tag >> 2);
      if (length >= 60) {
        const bytes = <usize>(length - 59);
        if (s + bytes > srcEnd) return LITERAL_LENGTH_PAST_INPUT;
        length = <u64>load<u8>(s);
        if (bytes > 1) length |= <u64>load<u8>(s + 1) << 8;
        if (bytes > 2) length |= <u64>load<u8>(s + 2) << 16;
        if (bytes > 3) length |= <u64>load<u8>(s + 3) << 24;
        s += bytes;
      }
      length += 1;
      if (<u64>s + length > <u64>srcEnd) return LITERAL_PAST_INPUT;
      if (<u64>d + length > <u64>dstEnd) return LITERAL_PAST_OUTPUT;
      const n = <usize>length;
      if (n <= 16) v128.store(d, v128.load(s));
      else memory.copy(d, s, n);
      s += n;
      d += n;
      continue;
    }
    // A copy of `length` bytes from `offset` bytes back in the output.
    let length: usize;
    let offset: usize;
    if (kind == 1) {
      if (s >= srcEnd) return COPY_PAST_INPUT;
      length = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | <usize>load<u8>(s);
      s += 1;
    } else if (kind == 2) {
      if (s + 2 > srcEnd) return COPY_PAST_INPUT;
      length = (tag >> 2) + 1;
      offset = <usize>load<u16>(s);
      s += 2;
    } else {
      if (s + 4 > srcEnd) return COPY_PAST_INPUT;
      length = (tag >> 2) + 1;
      offset = <usize>load<u32>(s);
      s += 4;
    }
    if (offset == 0 || offset > d - dst) return COPY_BEFORE_OUTPUT;
    if (d + length > dstEnd) return COPY_PAST_OUTPUT;
    const from = d - offset;
    if (offset >= 16 && length <= 16) {
      // The 16 bytes read all lie before the ones written; past `length`, slack.
      v128.store(d, v128.load(from));
    } else if (offset >= length) {
      memory.copy(d, from, length);
    } else if (offset >= 8) {
      // Overlapping, 8 bytes at a time: each word read was written before it is read.
      for (let k: usize = 0; k < length; k += 8) store<u64>(d + k, load<u64>(from + k));
    } else {
      // Overlapping closely (a run): byte by byte, in order.
      for (let k: usize = 0; k < length; k++) store<u8>(d + k, load<u8>(from + k));
    }
    d += length;
  }
  return <i32>(d - dst);
}
