/** sniffDelimiter: the delimiter that splits every one of the first lines alike, as csv.Sniffer decides. */
import { describe, expect, it } from 'vitest';
import { oneColumnHint, sniffDelimiter } from '../../src/io/sniff-delimiter.js';

const sniff = (text: string, ended = true) => sniffDelimiter(Buffer.from(text), ended);

describe('sniffDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2,5;3\n4;5;6\n', ';'], // a decimal comma does not split every line alike
    ['a\tb\n1\t2\n', '\t'],
    ['a|b|c\n1|2|3\n', '|'],
    ['"x;y",b\n"1;2",3\n', ','], // a delimiter inside quotes does not count
    ['name;note\nx;"two\nlines, and a comma"\ny;z\n', ';'], // nor a line break inside quotes
    ['a;b\r\n1;2\r\n', ';'],
    ['a,b;c\n1,2;3\n', ','], // both split alike: the earlier in the list
    ['1,5;2,25\n3,5;4,75\n', ';'], // but not into the parts of decimal-comma numbers (no header to tell)
    ['1,5;x\n-0,25;y\n', ';'],
    ['1,5;2\n3;4,75\n', ';'], // a ragged split by ","
    ['1,2;3\nab,c;d\n', ','], // a line with no decimal comma under ";": the earlier
  ])('%j → %j', (text, expected) => {
    expect(sniff(text)).toBe(expected);
  });

  it.each([
    ['x\n1\n2\n'], // one column
    ['a;b\n1;2;3\n'], // ragged under every candidate: the reader will say which line
    [''],
  ])('%j: none', (text) => {
    expect(sniff(text)).toBeUndefined();
  });

  it('a cut last line is left out unless the head is the whole input', () => {
    expect(sniff('a;b\n1;2\n3', false)).toBe(';');
    expect(sniff('a;b\n1;2\n3', true)).toBeUndefined();
  });
});

describe('oneColumnHint', () => {
  it('names the delimiter a lone column holds', () => {
    expect(oneColumnHint(['a;b;c'])).toBe(`; its one column "a;b;c" looks split by ";": -d ';'`);
    expect(oneColumnHint(['a\tb'])).toBe(`; its one column "a\\tb" looks split by tabs: -d '\\t'`);
    expect(oneColumnHint(['abc'])).toBe('');
    expect(oneColumnHint(['a;b', 'c'])).toBe('');
  });
});
