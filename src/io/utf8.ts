/**
 * bn reads UTF-8 text. Bytes that are not UTF-8 (Latin-1 text, UTF-16, binary data) would be
 * decoded to U+FFFD and written back changed — a pass-through cell must come out as it went in
 * (SPEC §4) — so they are an error instead, naming the byte offset of the first bad byte.
 * Checking costs one native `isUtf8` call a chunk; the bytes pass through unchanged.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { BnError } from '../errors.js';

/**
 * The check, called a chunk at a time: `valid` hands on a chunk's whole characters and the
 * BN_NOT_UTF8 error of its first byte that is not UTF-8, `unfinished` is the error of an input that
 * stops inside a character (`end` throws it). `offset` is where the first chunk starts in the
 * input (a worker's byte range).
 */
export class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0); // a character cut by the end of the last chunk

  constructor(
    private readonly label: string,
    private offset = 0,
  ) {}

  /**
   * `chunk` checked, for a reader that names the first fault of its input whatever its kind: the
   * whole characters to read next, which are the input's bytes up to its first byte that is not
   * UTF-8, then `error` to throw once they are read. A character that the chunk's end cuts is held
   * back and comes first the next time (so the bytes are not always a part of `chunk`). So a bad
   * record before that byte is the error, wherever the input's chunks (or a -j pass's blocks) are
   * cut, and no byte after it is read.
   */
  valid(chunk: Buffer): { bytes: Buffer; error?: BnError } {
    // UTF-16 without a byte order mark is valid UTF-8 (a NUL after or before each ASCII
    // character), and would be read as text full of NULs: known by its first bytes.
    if (this.offset === 0 && this.carry.length === 0) {
      const utf16 = utf16Order(chunk);
      if (utf16) return { bytes: chunk.subarray(0, 0), error: new BnError('BN_NOT_UTF8', `not UTF-8 text: UTF-16 without a byte order mark, it seems (every other byte 0): convert with iconv -f ${utf16} -t UTF-8`, { file: this.label }) };
    }
    // The common case, a chunk that is UTF-8 and ends on a character: one native call.
    if (this.carry.length === 0 && isUtf8(chunk)) {
      this.offset += chunk.length;
      return { bytes: chunk };
    }
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = completeLength(bytes);
    const body = bytes.subarray(0, complete);
    if (!isUtf8(body)) {
      const at = firstInvalid(body);
      return { bytes: body.subarray(0, at), error: notUtf8(bytes, at, this.offset, this.label) };
    }
    this.offset += complete;
    this.carry = Buffer.from(bytes.subarray(complete));
    return { bytes: body };
  }

  /** The input stops here: its error when that is inside a character. */
  unfinished(): BnError | undefined {
    return this.carry.length > 0 ? notUtf8(this.carry, 0, this.offset, this.label) : undefined;
  }

  end(): void {
    const error = this.unfinished();
    if (error) throw error;
  }
}

/**
 * `input`'s bytes, checked as they are read: the whole characters before the first byte that is
 * not UTF-8 come first, and then BN_NOT_UTF8. A generator reads nothing ahead, so the error comes
 * when the reader asks for more, once it has read those bytes: a bad record in them is the error,
 * as with the fast readers (Utf8Checker.valid). (A Transform that failed would have dropped what it
 * had passed on and the parser not read yet, and failed a chunk ahead of it.)
 */
export async function* utf8Checked(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const checker = new Utf8Checker(label);
  for await (const chunk of input) {
    const { bytes, error } = checker.valid(chunk);
    if (bytes.length > 0) yield bytes;
    if (error) throw error;
  }
  checker.end();
}

/** Decode a whole text (a stats file), failing as `utf8Checked` does. */
export function decodeUtf8(bytes: Buffer, label: string): string {
  if (!isUtf8(bytes)) throw notUtf8(bytes, firstInvalid(bytes), 0, label);
  return bytes.toString('utf8');
}

function notUtf8(bytes: Buffer, at: number, offset: number, label: string): BnError {
  const byte = bytes[at];
  const shown = byte === undefined ? 'the end of the input inside a character' : `byte 0x${byte.toString(16).padStart(2, '0')}`;
  const utf16 = offset === 0 && at === 0 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  // The first byte: more likely binary than another encoding (brotli, which has no magic
  // bytes to be known by, on standard input or under a name without .br).
  const binary = offset + at === 0;
  const hint = utf16
    ? ' (a UTF-16 byte order mark: convert with iconv -f UTF-16 -t UTF-8)'
    : binary
      ? ' (compressed? gzip, zlib and zstd are known by their bytes, brotli only by a .br name: brotli -dc FILE | bn …; text of another encoding: iconv -f LATIN1 -t UTF-8)'
      : ' (convert it, e.g. iconv -f LATIN1 -t UTF-8)';
  return new BnError('BN_NOT_UTF8', `not UTF-8 text: ${shown} at byte offset ${offset + at}${hint}`, { file: label });
}

/** UTF-16LE or BE when the first two characters are ASCII in it (a 0 byte after, or before, each). */
function utf16Order(head: Buffer): 'UTF-16LE' | 'UTF-16BE' | undefined {
  if (head.length < 4) return undefined;
  if (head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return 'UTF-16LE';
  if (head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return 'UTF-16BE';
  return undefined;
}

/** Length of `bytes` without a character that its end cuts short (at most 3 bytes are left out). */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + length > n ? i : n;
  }
  return n;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629), or bytes.length. */
function firstInvalid(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: sequence length and the range of the second byte (no overlongs, no surrogates, ≤ U+10FFFF).
    const [length, lo, hi] =
      b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf]
      : b === 0xed ? [3, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
      : b === 0xf0 ? [4, 0x90, 0xbf]
      : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
      : b === 0xf4 ? [4, 0x80, 0x8f]
      : [0, 0, 0];
    if (length === 0) return i;
    const second = bytes[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return i;
}
