/**
 * JSON numbers whose text holds more than a double are kept as text (RawNumber); every other one
 * is a double. Checked against what JSON.parse gives and against the texts themselves.
 */
import { describe, expect, it } from 'vitest';
import { hasRawNumber, jsonNumber, jsonText, RawNumber } from '../../src/io/json-number.js';
import { parseWithRawNumbers } from '../../src/io/json-reader.js';

describe('jsonNumber', () => {
  it.each([
    ['12345678901234567891', 12345678901234567891],
    ['-12345678901234567891', -12345678901234567891],
    ['9007199254740993', 9007199254740992], // 2^53 + 1: no double
    ['0.100000000000000005551', 0.1], // 21 significant digits
    ['1234567890123456789e3', 1.234567890123456789e21],
    ['9007199254740993.0', 9007199254740992],
    ['4503599627370497.5', 4503599627370498],
    ['1e400', Infinity], // beyond float64
    ['-1e999', -Infinity],
    ['1e-400', 0], // below it: not 0
  ])('%s keeps its text (its double is %d)', (text, value) => {
    const n = jsonNumber(text);
    expect(n).toBeInstanceOf(RawNumber);
    expect((n as RawNumber).text).toBe(text);
    expect((n as RawNumber).value).toBe(value);
    expect((n as RawNumber).value).toBe(JSON.parse(text));
  });

  it.each(['1', '-3', '2.50', '1E2', '9007199254740992', '1234567890123456', '0.30000000000000004', '-0.15915613298374626', '0.10000000000000001', '-0.15915613298374625', '1e-300', '0.0000000000000000001', '0e999', '-0', '0.000'])(
    '%s is a double (its shortest form is the same double)',
    (text) => {
      expect(jsonNumber(text)).toBe(JSON.parse(text));
    },
  );
});

describe('a line with such numbers', () => {
  const line = '{"id":12345678901234567891,"x":1.5,"s":"12345678901234567891","n":{"a":[9007199254740993,2,"x\\"1234567890123456789"]}}';

  it('is found by hasRawNumber; digits in strings (escaped quotes included) and 17-digit doubles are not such numbers', () => {
    expect(hasRawNumber(line)).toBe(true);
    expect(hasRawNumber('{"x":0.30000000000000004,"s":"12345678901234567891"}')).toBe(false);
    // Doubles printed in their shortest form, 17 digits or not, are kept as doubles.
    const shortest = [-1.0690415314502975, 0.30000000000000004, 1234567890123456.7, 1.2345678901234567e300, 5e-324].map(String);
    expect(hasRawNumber(`[${shortest.join(',')}]`)).toBe(false);
    expect(hasRawNumber('[1.00000000000000000000e999]')).toBe(true);
    expect(hasRawNumber('[1,{"a":[1e400]}]')).toBe(true);
    expect(hasRawNumber('[1,{"a":[1e-400]}]')).toBe(true);
    expect(hasRawNumber('{"s":"a\\"12345678901234567891"}')).toBe(false);
    expect(hasRawNumber('[1,2,3]')).toBe(false);
  });

  it('parses to JSON.parse\'s value with RawNumbers in place, at any depth, and jsonText writes it back as it was', () => {
    const value = parseWithRawNumbers(line) as { id: RawNumber; x: number; s: string; n: { a: unknown[] } };
    expect(value.id).toEqual(new RawNumber('12345678901234567891', 12345678901234567891));
    expect(value.x).toBe(1.5);
    expect(value.s).toBe('12345678901234567891');
    expect(value.n.a[0]).toEqual(new RawNumber('9007199254740993', 9007199254740992));
    expect(jsonText(value)).toBe(line);
    // Anything that does not know the class sees the double.
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(line));
  });

  it('jsonText is JSON.stringify for values without them (undefined members left out, BigInt as digits)', () => {
    for (const v of [null, true, 'a"b', [1, 'x', null, { b: [] }], { a: 1, b: undefined, c: { d: 'é' } }, -0, 1e21]) {
      expect(jsonText(v)).toBe(JSON.stringify(v));
    }
    expect(jsonText({ big: 12345678901234567891n })).toBe('{"big":12345678901234567891}');
  });
});
