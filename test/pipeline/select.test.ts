import { describe, expect, it } from 'vitest';
import { bindSelection, describeColumns, parseSelection, pickedAmong, type SelectRole } from '../../src/pipeline/select.js';
import { expectBnError } from '../helpers/run-bn.js';

const COLUMNS = ['id', 'x1', 'x2', 'x3', 'label', '2015', 'a,b', ' padded '];

/** The role of every column of COLUMNS, as a compact string: F feature, c candidate, . other. */
function roles(list: string, columns: readonly string[] = COLUMNS): string {
  const selection = bindSelection(parseSelection(list), columns);
  const letter: Record<SelectRole, string> = { feature: 'F', candidate: 'c', other: '.' };
  return columns.map((name, j) => letter[selection.role(name, j)]).join('');
}

describe('--select grammar', () => {
  it.each([
    // names, indices, ranges
    ['x1', '.F......'],
    ['x1,x3', '.F.F....'],
    [' x1 , x3 ', '.F.F....'],
    ['2', '.F......'],
    ['2-4', '.FFF....'],
    ['2 - 4', '.FFF....'],
    ['7-', '......FF'],
    ['-2', 'FF......'],
    ['1,3-4,label', 'F.FFF...'],
    // a name wins over an index; quotes make a name
    ['2015', '.....F..'],
    ['"2015"', '.....F..'],
    ['6', '.....F..'],
    ['"a,b"', '......F.'],
    ['" padded "', '.......F'],
    ['"say ""hi"""', null],
    // regular expressions pick candidates (features if their first value is a number)
    ['/^x/', '.ccc....'],
    ['/^X\\d$/i', '.ccc....'],
    // JavaScript's other flags: u (Unicode classes), s
    ['/^\\p{Ll}\\d$/u', '.ccc....'],
    ['/^x./s,id', 'Fccc....'],
    ['/x{1,2}/,id', 'Fccc....'],
    ['/\\//', '........'],
    ['label,/^x/', '.cccF...'],
    // globs (* any text, ? one character) pick candidates, as regular expressions do
    ['x*', '.ccc....'],
    ['x?', '.ccc....'],
    ['*d*', 'c......c'],
    ['2*,id', 'F....c..'],
    ['!x*', 'c...cccc'],
    // ! inverts the whole list: everything else is a candidate
    ['!id', '.ccccccc'],
    ['!id,label,/^x/', '.....ccc'],
    ['!1-5', '.....ccc'],
  ])('%s', (list, expected) => {
    if (expected === null) {
      expect(parseSelection(list).items).toEqual([{ kind: 'name', name: 'say "hi"' }]);
      return;
    }
    expect(roles(list)).toBe(expected);
  });

  it('columns that appear later get their role too (JSON keys first seen in a late record)', () => {
    const selection = bindSelection(parseSelection('late,/^y/'), ['a']);
    expect(selection.role('late', 5)).toBe('feature');
    expect(selection.role('y9', 6)).toBe('candidate');
    expect(selection.role('z', 7)).toBe('other');
  });

  it.each([
    ['', /empty item/],
    ['a,,b', /empty item/],
    ['a,', /empty item/],
    ['0', /column indices start at 1/],
    ['0-3', /column indices start at 1/],
    ['5-2', /empty range 5-2/],
    ['"open', /unclosed quote/],
    ['"a"b', /expected "," after an item/],
    ['/x', /unclosed \/regex\//],
    ['/(/', /invalid regular expression/],
    ['/x/g', /flags g and y do not apply/],
    ['/x/iy', /flags g and y do not apply/],
    ['/x/q', /invalid regular expression \/x\/q/],
  ])('rejects %j as a usage error', async (list, message) => {
    await expectBnError(() => parseSelection(list), { code: 'BN_BAD_OPTION', exit: 2, location: {}, message });
  });
});

describe('unknown columns', () => {
  it.each([
    ['nope', /^--select: no column "nope" \(8 columns: "id", "x1", /],
    ['x1,9', /^--select: no column 9 /],
    ['7-9', /^--select: no column 7-9 /],
    ['!nope', /^--select: no column "nope"/],
    ['Label', /^--select: no column "Label" \(did you mean "label"\? 8 columns: "id", /],
    ['lable,x1', /^--select: no column "lable" \(did you mean "label"\? 8 columns/],
    ['X1,x9', /^--select: no column "X1", "x9" \(did you mean "x1" for "X1"\? 8 columns/],
    ['z*', /^--select: no column matches z\* \(8 columns: /],
    ['/^z/', /^--select: no column matches \/\^z\/ \(8 columns: /],
    ['nope,/^z/i', /^--select: no column "nope"; no column matches \/\^z\/i \(8 columns: /],
  ])('%s is a usage error listing the columns', async (list, message) => {
    const selection = bindSelection(parseSelection(list), COLUMNS);
    await expectBnError(() => selection.check(COLUMNS, 'data.csv'), { code: 'BN_UNKNOWN_COLUMN', exit: 2, location: { file: 'data.csv' }, message });
  });

  it('a column named with a * is that column, not a glob', () => {
    expect(roles('a*b', ['a*b', 'aXb'])).toBe('F.');
  });

  it('a pattern that matches nothing leaves nothing out of a ! list: not an error there', () => {
    expect(() => bindSelection(parseSelection('!/^zzz/'), COLUMNS).check(COLUMNS, 'f')).not.toThrow();
    expect(() => bindSelection(parseSelection('!zzz*'), COLUMNS).check(COLUMNS, 'f')).not.toThrow();
  });

  it('a long column list is cut', () => {
    const many = Array.from({ length: 25 }, (_, i) => `c${i}`);
    expect(describeColumns(many)).toMatch(/^25 columns: "c0", .*"c19", … \(5 more\)$/);
  });
});

describe('names a table will have (JSON keys not seen yet)', () => {
  const picked = (select: string, names: string[]) => pickedAmong(parseSelection(select), ['id', 'x'], names);

  it('a name, a /regex/ or a glob picks the names it matches', () => {
    expect(picked('x,w', ['x', 'w', 'v'])).toEqual(['x', 'w']);
    expect(picked('/^[wx]$/', ['x', 'w', 'v'])).toEqual(['x', 'w']);
    expect(picked('w*', ['x', 'w', 'v'])).toEqual(['w']);
  });

  it('a ! list picks every name it does not leave out', () => {
    expect(picked('!id', ['x', 'w', 'v'])).toEqual(['x', 'w', 'v']);
    expect(picked('!v', ['x', 'w', 'v'])).toEqual(['x', 'w']);
    expect(picked('!/^v/', ['x', 'w', 'v'])).toEqual(['x', 'w']);
  });

  it('indices and ranges find a new name where it will be: after the columns and the new names picked before it', () => {
    // id=1, x=2; w would be 3, and v 3 too unless w is picked (then 4).
    expect(picked('2-3', ['x', 'w', 'v'])).toEqual(['x', 'w']);
    expect(picked('3-', ['x', 'w', 'v'])).toEqual(['w', 'v']);
    expect(picked('4', ['x', 'w', 'v'])).toEqual([]);
    expect(picked('!3', ['x', 'w', 'v'])).toEqual(['x']);
    expect(picked('/^w/,4', ['x', 'w', 'v'])).toEqual(['w', 'v']);
  });
});
