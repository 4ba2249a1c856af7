import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { fileName, markerList, nonNegativeNumber, positiveInteger, significantDigits, singleCharacter } from '../../src/cli/parse-option.js';

describe('option value parsers', () => {
  it.each([
    [positiveInteger, '1', 1], [positiveInteger, '256', 256], [positiveInteger, '+3', 3],
    [nonNegativeNumber, '0', 0], [nonNegativeNumber, '1e-5', 1e-5], [nonNegativeNumber, '.001', 0.001],
    [significantDigits, '17', 17], [singleCharacter, ';', ';'], [singleCharacter, '\\t', '\t'], [singleCharacter, 'tab', '\t'],
    [fileName, 'out.csv', 'out.csv'], [fileName, '-', '-'], [fileName, ' ', ' '],
  ] as const)('%o accepts %j', (parse, text, value) => {
    expect((parse as (s: string) => unknown)(text)).toBe(value);
  });

  it.each([
    [positiveInteger, '0'], [positiveInteger, '-1'], [positiveInteger, '2.5'], [positiveInteger, 'abc'], [positiveInteger, ''],
    [positiveInteger, '1e3'], [positiveInteger, '99999999999999999999'],
    [nonNegativeNumber, 'abc'], [nonNegativeNumber, 'NaN'], [nonNegativeNumber, 'Infinity'], [nonNegativeNumber, '-1e-5'],
    [nonNegativeNumber, '1x'], [significantDigits, '18'], [significantDigits, '0'],
    [singleCharacter, ',,'], [singleCharacter, '"'], [singleCharacter, ''], [fileName, ''],
  ] as const)('%o rejects %j', (parse, text) => {
    expect(() => (parse as (s: string) => unknown)(text)).toThrow(InvalidArgumentError);
  });

  it('a whole number beyond 2^53 is said to be too large, not to be no whole number', () => {
    expect(() => positiveInteger('99999999999999999999')).toThrow(/^too large: at most 9007199254740991\.$/);
    expect(() => positiveInteger('0')).toThrow(/^expected a whole number ≥ 1\.$/);
  });
});

describe('-d: the value refused is shown escaped (a line break commander would print raw)', () => {
  it.each([
    ['\n', '"\\n"'],
    ['"', '"\\""'],
  ])('%j', (text, shown) => {
    expect(() => singleCharacter(text)).toThrow(`not a quote or a line break: ${shown}.`);
  });
});

describe('--na-values: markers, one with a comma or outer spaces in double quotes', () => {
  it.each([
    ['-999', ['-999']],
    [' -999 , NA', ['-999', 'NA']],
    ['"n,a",-999', ['n,a', '-999']],
    ['" x "', [' x ']],
    ['"say ""hi"""', ['say "hi"']],
  ])('%j', (text, markers) => {
    expect(markerList(text)).toEqual(markers);
  });

  it('an unclosed quote is refused', () => {
    expect(() => markerList('"a')).toThrow(/unclosed quote/);
  });
});
