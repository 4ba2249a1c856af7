/**
 * Every error of the input formats, --select and the writers, through the CLI in-process: the
 * code, the exit status it maps to, and the location (SPEC §6). The printed line is checked by
 * run() for a few of them.
 */
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnThrows, expectBnError, type ExpectedError } from '../helpers/run-bn.js';

const F = '<stdin>';

describe('bad data and bad usage, in every format', () => {
  it.each<[string, string[], string, ExpectedError]>([
    // values
    ['CSV: text in a feature column', ['stats'], 'a,b\n1,2\n3,63-67\n', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, line: 3, column: 2, name: 'b' } }],
    ['CSV: Infinity', ['stats'], 'a\n1\nInfinity\n', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, line: 3, column: 1, name: 'a' } }],
    ['CSV: 1e999', ['normalize'], 'a\n1\n1e999\n', { code: 'BN_NOT_FINITE', exit: 1, location: { file: F, line: 3, column: 1, name: 'a' } }],
    ['JSON: text in a feature column', ['stats'], '[{"w":1},{"w":2},{"w":"63-67"}]', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, record: 2, name: 'w' }, message: /^not a number: "63-67"$/ }],
    ['JSON: a boolean in a feature column', ['stats'], '[[1],[true]]', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, record: 1, name: '1' }, message: /^not a number: true$/ }],
    ['JSON: 1e999', ['stats'], '[{"w":1},{"w":1e999}]', { code: 'BN_NOT_FINITE', exit: 1, location: { file: F, record: 1, name: 'w' } }],
    ['NDJSON: text in a feature column', ['normalize'], '{"w":1}\n{"w":"x"}\n', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, line: 2, name: 'w' } }],
    ['NDJSON: an array value', ['normalize', '--from', 'ndjson'], '[1]\n[[2]]\n', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, line: 2, column: 1, name: '1' } }],
    // structure
    ['CSV: a ragged row', ['stats'], 'a,b\n1,2\n3,4,5\n', { code: 'BN_RAGGED_ROW', exit: 1, location: { file: F, line: 3 }, message: /^expected 2 fields, found 3$/ }],
    ['CSV: an unclosed quote', ['stats'], 'a,b\n1,2\n3,"4\n', { code: 'BN_MALFORMED_CSV', exit: 1, location: { file: F, line: 3 }, message: /a quoted field opens on this line and is never closed/ }],
    ['CSV: duplicate column names', ['stats'], 'a,b,a\n1,2,3\n', { code: 'BN_DUPLICATE_COLUMN', exit: 1, location: { file: F, line: 1, column: 3 } }],
    ['CSV: an empty input', ['stats'], '', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: F } }],
    ['CSV: a header with no rows', ['normalize'], 'a,b\n', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: F } }],
    ['JSON: invalid JSON', ['stats'], '[{"a":1},\n{"a":2,,}]', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: F, record: 1 }, message: /^invalid JSON at byte offset 17: unexpected ","$/ }],
    ['JSON: a record of numbers', ['stats'], '[1,2]', { code: 'BN_BAD_RECORD', exit: 1, location: { file: F, record: 0 } }],
    ['JSON: a top-level object', ['stats', '--from', 'json'], '{"a":1}', { code: 'BN_BAD_RECORD', exit: 1, location: { file: F } }],
    ['JSON: a ragged array', ['stats'], '[[1,2],[3]]', { code: 'BN_RAGGED_ROW', exit: 1, location: { file: F, record: 1 } }],
    ['JSON: an empty array', ['normalize'], ' [ ] ', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: F } }],
    ['NDJSON: invalid JSON', ['stats'], '{"a":1}\n{"a":}\n', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: F, line: 2, column: 6 }, message: /^invalid JSON: unexpected "}"$/ }],
    ['NDJSON: a string line', ['stats'], '{"a":1}\n"x"\n', { code: 'BN_BAD_RECORD', exit: 1, location: { file: F, line: 2 } }],
    ['NDJSON: blank lines only', ['stats', '--from', 'ndjson'], '\n\n', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: F } }],
    // features
    ['a regex that matches only text', ['stats', '-s', '/^n/'], 'name,x\nann,1\n', { code: 'BN_NO_FEATURES', exit: 1, location: { file: F } }],
    ['a selected text column', ['stats', '-s', 'name'], 'name,x\nann,1\n', { code: 'BN_NOT_A_NUMBER', exit: 1, location: { file: F, line: 2, column: 1, name: 'name' } }],
    ['a selected column with no number', ['stats', '-s', 'x,y'], 'x,y\n1,\n2,NA\n', { code: 'BN_EMPTY_COLUMN', exit: 1, location: { file: F, name: 'y' } }],
    ['a selected name that does not exist', ['stats', '-s', 'x,nope'], 'x,y\n1,2\n', { code: 'BN_UNKNOWN_COLUMN', exit: 2, location: { file: F }, message: /^--select: no column "nope" \(2 columns: "x", "y"\)$/ }],
    ['a selected index that does not exist', ['normalize', '-s', '3'], 'x,y\n1,2\n3,4\n', { code: 'BN_UNKNOWN_COLUMN', exit: 2, location: { file: F } }],
    ['a JSON key selected that never appears', ['stats', '-s', 'w'], '[{"x":1},{"x":2}]', { code: 'BN_UNKNOWN_COLUMN', exit: 2, location: { file: F } }],
    // options
    ['a bad --select', ['stats', '-s', 'a,,b'], 'a,b\n1,2\n', { code: 'BN_BAD_OPTION', exit: 2, location: {} }],
    ['an unknown --from', ['stats', '--from', 'xml'], 'a\n1\n', { code: 'BN_BAD_OPTION', exit: 2, location: {}, message: /^--from: unknown format "xml"/ }],
    ['an unknown --to', ['normalize', '--to', 'xlsx'], 'a\n1\n2\n', { code: 'BN_BAD_OPTION', exit: 2, location: {}, message: /^--to: unknown format "xlsx"/ }],
    // output
    ['a JSON key too late for the CSV header', ['normalize', '-b', '2', '--to', 'csv'], '[{"x":1},{"x":2},{"x":3},{"x":4,"w":"z"}]', { code: 'BN_LATE_COLUMN', exit: 1, location: { file: F, record: 3, name: 'w' } }],
  ])('%s', async (_name, args, stdin, expected) => {
    await expectBnError(bnThrows(args, stdin), expected);
  });

  it.each([
    [['stats'], '[{"w":1},{"w":"x"}]', 'bn: <stdin>[1] (column "w"): not a number: "x"\n'],
    [['stats'], '{"w":1}\n{"w":"x"}\n', 'bn: <stdin>:2 (column "w"): not a number: "x"\n'],
    [['stats'], '{"a":1}\n{"a":}\n', 'bn: <stdin>:2:6: invalid JSON: unexpected "}"\n'],
    [['stats', '-s', 'nope'], 'x,y\n1,2\n', 'bn: <stdin>: --select: no column "nope" (2 columns: "x", "y")\n'],
  ])('prints one line: %j', async (args, stdin, line) => {
    const r = await bnInProcess(args, stdin);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(line);
  });
});
