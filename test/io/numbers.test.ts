import { describe, expect, it } from 'vitest';
import { classifyNumber, parseDecimal } from '../../src/io/numbers.js';
import { numberFormatter } from '../../src/io/format-number.js';

describe('classifyNumber: the number syntax of SPEC §2', () => {
  it.each([
    ['1', 1], ['-1.5e-3', -0.0015], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1E5', 100000], ['-0', -0],
    [' 42 ', 42], ['\t7', 7], ['0.1', 0.1], ['4.9e-324', 5e-324], ['1e-400', 0],
    ['123456789012345678901234567890123456789', 1.2345678901234568e38],
  ])('%j is the number %d', (text, value) => {
    expect(classifyNumber(text)).toEqual({ kind: 'number', value });
  });

  it.each(['', 'abc', '1,5', '0x10', 'Infinity', '-Infinity', 'NaN', '1e', 'e5', '--1', '1.2.3', '63-67', '1 2', '½', '١'])(
    '%j is not a number',
    (text) => {
      expect(classifyNumber(text)).toEqual({ kind: 'invalid' });
      expect(parseDecimal(text)).toBeNaN();
    },
  );

  it.each(['1e999', '-1e309', '2e308'])('%j overflows float64', (text) => {
    expect(classifyNumber(text)).toEqual({ kind: 'overflow' });
  });
});

describe('numberFormatter', () => {
  const shortest = numberFormatter();
  it.each([0.1, -2.1333973324454254, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 123456789.12345679])(
    'writes %d in a form that reads back to the same float64',
    (x) => {
      expect(Number(shortest(x))).toBe(x);
    },
  );

  it('writes the shortest such form', () => {
    expect(shortest(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(shortest(100)).toBe('100');
  });

  it.each([
    [3, -2.1333973324454254, '-2.13'],
    [6, 123456789, '123457000'],
    [2, 0.000012345, '0.000012'],
    [1, 1e-7 * 4.6, '5e-7'],
    [17, 0.1, '0.1'],
  ])('with precision %d writes %d as %s', (precision, x, text) => {
    expect(numberFormatter(precision)(x)).toBe(text);
  });
});
