/**
 * xxHash32 (the algorithm: github.com/Cyan4973/xxHash, doc/xxhash_spec.md), the checksum of LZ4
 * frames (./lz4.ts): its header, each block and the whole content. A 32-bit multiply is
 * Math.imul, an addition wraps by `| 0`. test/io/lz4.test.ts checks it on the specification's
 * known values and on frames of other writers.
 */

const PRIME1 = 0x9e3779b1 | 0;
const PRIME2 = 0x85ebca77 | 0;
const PRIME3 = 0xc2b2ae3d | 0;
const PRIME4 = 0x27d4eb2f | 0;
const PRIME5 = 0x165667b1 | 0;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

function read32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, PRIME2)) | 0, 13), PRIME1);
}

/** The xxHash32 of bytes[start, end) with `seed`, as an unsigned 32-bit number. */
export function xxhash32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let p = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (; p + 16 <= end; p += 16) {
      v1 = round(v1, read32(bytes, p));
      v2 = round(v2, read32(bytes, p + 4));
      v3 = round(v3, read32(bytes, p + 8));
      v4 = round(v4, read32(bytes, p + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME5) | 0;
  }
  h = (h + (end - start)) | 0;
  for (; p + 4 <= end; p += 4) h = Math.imul(rotl((h + Math.imul(read32(bytes, p), PRIME3)) | 0, 17), PRIME4);
  for (; p < end; p++) h = Math.imul(rotl((h + Math.imul(bytes[p]!, PRIME5)) | 0, 11), PRIME1);
  h = Math.imul(h ^ (h >>> 15), PRIME2);
  h = Math.imul(h ^ (h >>> 13), PRIME3);
  return (h ^ (h >>> 16)) >>> 0;
}
