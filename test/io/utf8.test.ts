/**
 * src/io/utf8.ts: input bytes pass through unchanged when they are UTF-8, and fail at the first
 * byte that is not, wherever the chunks are cut. Reference for "the first bad byte": the longest
 * prefix that node:buffer's isUtf8 (simdutf, independent of the checker's own scan) accepts.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, utf8Checked, Utf8Checker } from '../../src/io/utf8.js';
import { expectBnError } from '../helpers/run-bn.js';

/** Feed `bytes` in chunks cut at `cuts`; the bytes that came out, or the error. */
async function through(bytes: Buffer, cuts: readonly number[] = []): Promise<Buffer> {
  const edges = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const chunks = edges.slice(1).map((end, i) => bytes.subarray(edges[i], end)).filter((c) => c.length > 0);
  const out: Buffer[] = [];
  for await (const chunk of utf8Checked(Readable.from(chunks), 'in.csv')) out.push(chunk);
  return Buffer.concat(out);
}

/** The offset of the first byte that is not UTF-8: the length of the longest valid prefix. */
function firstBad(bytes: Buffer): number {
  let k = bytes.length;
  while (!isUtf8(bytes.subarray(0, k))) k--;
  return k;
}

describe('utf8Checked', () => {
  it('passes UTF-8 through unchanged, characters of 1 to 4 bytes cut at every byte', async () => {
    const text = Buffer.from('\ufeffa,é,€,𝄞\r\nx,"ü""",中文\n');
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await through(text, [cut])).toEqual(text);
    }
    expect(await through(text, Array.from({ length: text.length }, (_, i) => i))).toEqual(text);
  });

  it.each([
    ['a Latin-1 byte', 'a,b\n1,caf\xe9\n', 9],
    ['a lone continuation byte', 'a\n\x80\n', 2],
    ['an overlong encoding of "/"', 'a\n\xc0\xaf\n', 2],
    ['a UTF-16 surrogate', 'a\n\xed\xa0\x80\n', 2],
    ['a code point beyond U+10FFFF', 'a\n\xf4\x90\x80\x80\n', 2],
    ['a character cut by the end of the input', 'a\n1\n\xe2\x82', 4],
    ['0xff', '\xff', 0],
  ])('%s: BN_NOT_UTF8 at its byte offset, wherever the chunks are cut', async (_name, latin1, offset) => {
    const bytes = Buffer.from(latin1, 'latin1');
    expect(firstBad(bytes)).toBe(offset);
    for (let cut = 0; cut <= bytes.length; cut++) {
      await expectBnError(through(bytes, [cut]), {
        code: 'BN_NOT_UTF8',
        exit: 1,
        location: { file: 'in.csv' },
        // At offset 0 the hint speaks of compressed data first, then of an encoding.
        message: new RegExp(`^not UTF-8 text: .* at byte offset ${offset} \\(${offset === 0 ? 'compressed\\? .*iconv' : 'convert it'}`),
      });
    }
  });

  it('names a UTF-16 byte order mark', async () => {
    await expectBnError(through(Buffer.from('\ufeffa,b\n', 'utf16le')), {
      code: 'BN_NOT_UTF8',
      exit: 1,
      location: { file: 'in.csv' },
      message: /^not UTF-8 text: byte 0xff at byte offset 0 \(a UTF-16 byte order mark: convert with iconv -f UTF-16 -t UTF-8\)$/,
    });
  });

  it('random bytes in random chunks: through unchanged exactly when UTF-8, else the first bad offset (fast-check)', async () => {
    // Mostly ASCII with multi-byte leads and continuations mixed in, so both outcomes are common.
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc2, max: 0xf4 }), fc.integer({ min: 0, max: 255 }));
    await fc.assert(
      fc.asyncProperty(fc.array(byte, { maxLength: 24 }), fc.array(fc.nat(24), { maxLength: 4 }), async (values, cuts) => {
        const bytes = Buffer.from(values);
        const result = through(bytes, cuts.map((c) => Math.min(c, bytes.length)));
        if (isUtf8(bytes)) expect(await result).toEqual(bytes);
        else await expectBnError(result, { code: 'BN_NOT_UTF8', exit: 1, location: { file: 'in.csv' }, message: new RegExp(`at byte offset ${firstBad(bytes)} `) });
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});

describe('Utf8Checker.valid', () => {
  it('random bytes in random chunks: the bytes handed on are the input before its first bad byte, whole characters only (fast-check)', () => {
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc2, max: 0xf4 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 24 }), fc.array(fc.nat(24), { maxLength: 4 }), (values, cuts) => {
        const bytes = Buffer.from(values);
        const edges = [0, ...cuts.map((c) => Math.min(c, bytes.length)).sort((a, b) => a - b), bytes.length];
        const checker = new Utf8Checker('in.csv', 7);
        const out: Buffer[] = [];
        let failure: Error | undefined;
        for (let k = 1; k < edges.length && failure === undefined; k++) {
          const { bytes: valid, error } = checker.valid(bytes.subarray(edges[k - 1], edges[k]));
          out.push(valid);
          failure = error;
        }
        if (failure === undefined) {
          try {
            checker.end();
          } catch (err) {
            failure = err as Error;
          }
        }
        const bad = firstBad(bytes);
        if (bad === bytes.length) {
          expect(failure).toBeUndefined();
          expect(Buffer.concat(out)).toEqual(bytes);
        } else {
          expect(failure?.message).toMatch(new RegExp(`at byte offset ${7 + bad} `));
          // Every byte before the bad one is handed on (a fault there is found first), none after.
          expect(Buffer.concat(out)).toEqual(bytes.subarray(0, bad));
        }
      }),
      { numRuns: 500, seed: 9 },
    );
  });

  it('a character cut by a chunk comes whole with the next; a bad byte after it ends the bytes handed on', () => {
    const checker = new Utf8Checker('in.csv');
    const euro = Buffer.from('€'); // e2 82 ac
    const first = checker.valid(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]));
    expect(first.error).toBeUndefined();
    expect(first.bytes.toString()).toBe('ab');
    const { bytes, error } = checker.valid(Buffer.concat([euro.subarray(1), Buffer.from('cd'), Buffer.from([0xe9]), Buffer.from('ef')]));
    expect(bytes.toString()).toBe('€cd');
    expect(error?.message).toMatch(/byte 0xe9 at byte offset 7 /);
  });
});

describe('decodeUtf8 (stats files)', () => {
  it('decodes UTF-8, refuses anything else', async () => {
    expect(decodeUtf8(Buffer.from('{"features":["é"]}'), 's.json')).toBe('{"features":["é"]}');
    await expectBnError(() => decodeUtf8(Buffer.from('{"f":"\xe9"}', 'latin1'), 's.json'), {
      code: 'BN_NOT_UTF8',
      exit: 1,
      location: { file: 's.json' },
      message: /byte 0xe9 at byte offset 6/,
    });
  });
});
