/**
 * parseDecimalBytes against the reference it must equal: `parseDecimal` / `classifyNumber` of
 * src/io/numbers.ts (a regex and `Number(text)`) on the same text, compared with Object.is so
 * that -0 and 0 differ. The byte parser must never change a result, only the speed.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimalBytes } from '../../../src/io/fast/decimal.js';
import { classifyNumber, parseDecimal } from '../../../src/io/numbers.js';

const SEED = 20240605;

/** Parse `text` from the middle of a larger buffer, so offsets are exercised too. */
function parseBytes(text: string): number {
  const bytes = Buffer.from(`9,${text},9`, 'utf8');
  return parseDecimalBytes(bytes, 2, bytes.length - 2);
}

function agrees(text: string): boolean {
  return Object.is(parseBytes(text), parseDecimal(text));
}

describe('parseDecimalBytes: table', () => {
  it.each([
    ['1', 1], ['-1.5e-3', -0.0015], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1E5', 100000], ['-0', -0],
    ['-0.0e7', -0], ['+0', 0], ['0e999', 0], ['-0e-999', -0], [' 42 ', 42], ['\t7\t', 7], ['0.1', 0.1],
    ['4.9e-324', 5e-324], ['2.4703282292062328e-324', 5e-324], ['2.4703282292062327e-324', 0], ['1e-400', 0], ['-1e-400', -0],
    ['1.7976931348623157e308', 1.7976931348623157e308], ['9007199254740992', 2 ** 53],
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: round half to even gives 2^53.
    ['9007199254740993', 2 ** 53], ['9007199254740995', 2 ** 53 + 4],
    ['123456789012345678901234567890123456789', 1.2345678901234568e38],
    ['1e22', 1e22], ['1e23', 1e23], ['1e-22', 1e-22], ['1e-23', 1e-23], ['0.000001', 0.000001],
    ['3.141592653589793', Math.PI], ['00012.5000', 12.5], ['1e0005', 100000], ['1e+2', 100],
  ])('%j is %d, as Number() reads it', (text, value) => {
    expect(Object.is(parseBytes(text), value)).toBe(true);
    expect(agrees(text)).toBe(true);
  });

  it.each(['', ' ', '\t', 'abc', '1,5', '0x10', 'Infinity', '-Infinity', 'NaN', '1e', '1e+', 'e5', '.', '-.', '+', '--1', '+-1',
    '1.2.3', '63-67', '1 2', '1e5.5', '1e5e5', '.e5', '½', '١', '1\n', '\n1', '1\u00a0', '0b1', '1_000', '1d'])(
    '%j is not a number (NaN)',
    (text) => {
      expect(parseBytes(text)).toBeNaN();
      expect(classifyNumber(text)).toEqual({ kind: 'invalid' });
    },
  );

  it.each([['1e999', Infinity], ['-1e309', -Infinity], ['2e308', Infinity], ['1.8e308', Infinity]])(
    '%j overflows to %d, as Number() says',
    (text, value) => {
      expect(parseBytes(text)).toBe(value);
      expect(classifyNumber(text)).toEqual({ kind: 'overflow' });
    },
  );

  it('reads a plain Uint8Array as well as a Buffer, on the fast and the slow path', () => {
    const bytes = new TextEncoder().encode('x1.25,123456789012345678901x');
    expect(parseDecimalBytes(bytes, 1, 5)).toBe(1.25);
    expect(parseDecimalBytes(bytes, 6, bytes.length - 1)).toBe(123456789012345678901);
  });
});

const digitString = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: min, maxLength: max });
const blank = fc.constantFrom('', '', ' ', '\t', ' \t ');
const sign = fc.constantFrom('', '', '+', '-');

/** Text with the syntax of SPEC §2, in every shape: leading and trailing points, exponents. */
const decimalText = fc
  .record({
    lead: blank,
    sign,
    int: digitString(0, 25),
    point: fc.boolean(),
    frac: digitString(0, 25),
    exp: fc.option(fc.tuple(fc.constantFrom('e', 'E'), sign, fc.integer({ min: -400, max: 400 }), fc.nat(2)), { nil: undefined }),
    trail: blank,
  })
  .map(({ lead, sign: s, int, point, frac, exp, trail }) => {
    let mantissa = point ? `${int}.${frac}` : int + frac;
    if (!/\d/.test(mantissa)) mantissa = `${mantissa}0`;
    const e = exp === undefined ? '' : `${exp[0]}${exp[2] < 0 ? '-' : exp[1]}${'0'.repeat(exp[3])}${Math.abs(exp[2])}`;
    return `${lead}${s}${mantissa}${e}${trail}`;
  });

/** Long mantissas (15–40 significant digits) at any scale, subnormals included. */
const longMantissa = fc
  .tuple(sign, fc.integer({ min: 1, max: 9 }), digitString(14, 39), fc.integer({ min: -400, max: 400 }), fc.nat(3))
  .map(([s, first, rest, exp, pointAt]) => `${s}${first}${rest.slice(0, pointAt)}.${rest.slice(pointAt)}e${exp}`);

/** Near the edges of the float64 range: subnormals, the smallest normals, the largest finite values. */
const edges = fc
  .tuple(sign, digitString(1, 20), fc.constantFrom(-330, -325, -324, -323, -310, -308, -307, 306, 307, 308, 309))
  .filter(([, d]) => /[1-9]/.test(d))
  .map(([s, d, exp]) => `${s}${d[0]}.${d.slice(1)}e${exp}`);

/** What programs write: String(x), toExponential, toFixed, toPrecision of arbitrary doubles. */
const writtenDouble = fc
  .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), fc.nat(3))
  .map(([x, k, how]) =>
    how === 0 ? String(x) : how === 1 ? x.toExponential(k) : how === 2 && Math.abs(x) < 1e21 ? x.toFixed(k) : x.toPrecision(k + 1),
  );

/** Arbitrary text over an alphabet that makes near-numbers likely. */
const nearNumber = fc.string({
  unit: fc.constantFrom('0', '1', '5', '9', '.', '.', 'e', 'E', '+', '-', ' ', '\t', 'x', 'I', 'n', ',', '\n', '\u00a0', 'é', '١'),
  maxLength: 12,
});

describe('parseDecimalBytes: the same result as Number(text) / classifyNumber', () => {
  const cases: [string, fc.Arbitrary<string>, number][] = [
    ['every shape of decimal text', decimalText, 20_000],
    ['long mantissas, exponents −400..400', longMantissa, 10_000],
    ['subnormals and the edges of the range', edges, 5_000],
    ['numbers as programs write them', writtenDouble, 20_000],
    ['arbitrary near-numbers', nearNumber, 20_000],
    ['arbitrary strings', fc.string({ unit: 'binary', maxLength: 16 }), 5_000],
  ];
  it.each(cases)('%s', (_name, texts, numRuns) => {
    fc.assert(
      fc.property(texts, (text) => {
        const value = parseBytes(text);
        const expected = classifyNumber(text);
        if (expected.kind === 'number') return Object.is(value, expected.value);
        if (expected.kind === 'overflow') return value === Infinity || value === -Infinity;
        return Number.isNaN(value);
      }),
      { seed: SEED, numRuns },
    );
  });

  it('round-trips every double through String(x) (which writes -0 as "0")', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => Object.is(parseBytes(String(x)), x === 0 ? 0 : x)),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});
