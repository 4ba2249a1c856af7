/** Numbers for people (readableNumber) and decimal-point alignment (alignTables). */
import { describe, expect, it } from 'vitest';
import { alignTables, paintCell, groupThousands, plural, readableNumber, tableLine } from '../../src/cli/text-table.js';

describe('readableNumber', () => {
  it.each([
    [10, '10'],
    [-3, '-3'],
    [0, '0'],
    [-0, '0'],
    [33, '33'],
    [330 / 9, '36.66667'],
    [2.1252, '2.1252'],
    [0.8300000000000001, '0.83'],
    [-3.125, '-3.125'],
    [0.001, '0.001'],
    [0.0001234567891, '0.0001234568'],
    [0.00001234567, '1.234567e-5'],
    [1.5e-7, '1.5e-7'],
    [-2.5e-300, '-2.5e-300'],
    [999999.94, '999999.9'],
    [1000000000.0123, '1000000000'], // the mean of 1e9 + noise keeps its integer digits
    [13333333333.25, '13333333333'],
    [123456789012345, '123456789012345'], // whole, below 1e15: in full
    [1e15 + 0.5, '1e+15'],
    [1.23456789e20, '1.234568e+20'],
    [9.99999999, '10'], // rounding up to the next power of ten
    [Number.NaN, ''],
  ])('%s → %j', (x, text) => {
    expect(readableNumber(x)).toBe(text);
  });
});

describe('alignTables', () => {
  it('aligns numbers on the decimal point (or the exponent) and text to the left, one width for every table', () => {
    const [a, b] = alignTables(
      ['text', 'number'],
      [
        { header: ['name', 'value'], rows: [['x', '10'], ['long name', '2.125']] },
        { header: ['name', 'v'], rows: [['y', '-0.5'], ['z', '1.5e-7'], ['w', '']] },
      ],
    );
    // Integer parts 2 wide (10, -0), the rest 5 (.5e-7): every number cell is 7 wide.
    expect(a!.header).toEqual(['name     ', '  value']);
    expect(a!.rows).toEqual([
      ['x        ', '10     '],
      ['long name', ' 2.125 '],
    ]);
    expect(b!.header).toEqual(['name     ', '      v']);
    expect(b!.rows).toEqual([
      ['y        ', '-0.5   '],
      ['z        ', ' 1.5e-7'],
      ['w        ', '       '],
    ]);
  });

  it('widens a number column to a longer header, keeping the numbers right-aligned as a block', () => {
    const [t] = alignTables(['number'], [{ header: ['var_sample'], rows: [['36.66667'], ['2']] }]);
    expect(t!.rows.map((r) => r[0])).toEqual(['  36.66667', '   2      ']);
  });
});

describe('text helpers', () => {
  it('paints only the text of a padded cell, and a line has no trailing blanks', () => {
    expect(paintCell('  x1  ', (s) => `<${s}>`)).toBe('  <x1>  ');
    expect(paintCell('   ', (s) => `<${s}>`)).toBe('   ');
    expect(tableLine(['a  ', '  b', '   '])).toBe('a      b');
  });

  it.each([
    [1, 'row', undefined, '1 row'],
    [0, 'row', undefined, '0 rows'],
    [1234567, 'row', undefined, '1,234,567 rows'],
    [2, 'batch', 'batches', '2 batches'],
  ])('plural(%s, %s)', (n, one, many, text) => {
    expect(plural(n, one, many)).toBe(text);
  });
});

describe('groupThousands', () => {
  it.each([0, 7, -7, 999, 1000, -1000, 12345, 999999, 1000000, -1234567, 2 ** 53 - 1, -(2 ** 53 - 1)])('%s as toLocaleString(en-US) writes it', (n) => {
    expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });

  it('leaves what is not a safe integer to toLocaleString (2^53, 1.5, Infinity)', () => {
    for (const n of [2 ** 53, 1.5, Infinity]) expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });
});
