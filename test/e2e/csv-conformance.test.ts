/**
 * CSV conformance: a table of cases, each with the fields bn must read (every record a row: -n)
 * or the error it must give (line, and field where it names one), in the manner of Go's
 * encoding/csv reader tests (these cases are bn's own). Every case runs through every CSV
 * reader — csv-parse (the general reader), the byte scanner on a stream and on a file — and
 * through `bn stats` with BN_NO_FAST=1, -j 1 and -j 2 (blocks small enough that the workers
 * split these files), which must print the same bytes and exit with the same status.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { both, fromFile, type Read } from '../helpers/read-all.js';
import { bnInProcess } from '../helpers/run-bn.js';

interface Case {
  name: string;
  text: string;
  fields?: string[][];
  error?: { code: string; line: number; column?: number };
  lazyQuotes?: boolean;
}

const CASES: Case[] = [
  { name: 'three plain fields', text: 'p,q,r\n', fields: [['p', 'q', 'r']] },
  { name: 'CRLF line ends', text: '1,2\r\n3,4\r\n', fields: [['1', '2'], ['3', '4']] },
  { name: 'LF, then CRLF, then LF', text: '1,2\n3,4\r\n5,6\n', fields: [['1', '2'], ['3', '4'], ['5', '6']] },
  { name: 'CRLF, then LF', text: '1,2\r\n3,4\n5,6\r\n', fields: [['1', '2'], ['3', '4'], ['5', '6']] },
  { name: 'no line break after the last record', text: '1,2\n3,4', fields: [['1', '2'], ['3', '4']] },
  { name: 'blank lines between records, LF and CRLF', text: '1\n\n\r\n2\n\n', fields: [['1'], ['2']] },
  { name: 'a UTF-8 byte order mark', text: '\ufeff1,2\n', fields: [['1', '2']] },
  { name: 'a delimiter inside quotes', text: '"7,5",8\n', fields: [['7,5', '8']] },
  { name: 'doubled quotes inside quotes', text: '"she said ""no""",1\n', fields: [['she said "no"', '1']] },
  { name: 'an LF inside quotes', text: '"up\ndown",1\n2,3\n', fields: [['up\ndown', '1'], ['2', '3']] },
  { name: 'a CRLF inside quotes', text: '"up\r\ndown",1\r\n2,3\r\n', fields: [['up\r\ndown', '1'], ['2', '3']] },
  { name: 'an empty quoted field', text: '"",9\n', fields: [['', '9']] },
  { name: 'empty unquoted fields', text: ',,\n1,2,3\n', fields: [['', '', ''], ['1', '2', '3']] },
  { name: 'a quote inside an unquoted field', text: '5" disk,1\n', fields: [['5" disk', '1']] },
  { name: 'a space before an opening quote: the quote is text', text: ' "k",1\n', fields: [[' "k"', '1']] },
  { name: 'a lone CR in a field of an LF file', text: '1,2\nu\rv,3\n', fields: [['1', '2'], ['u\rv', '3']] },
  { name: 'an old Mac file: CR ends records', text: '1,2\r3,4\r', fields: [['1', '2'], ['3', '4']] },
  { name: 'quoted fields before CRLF and LF', text: '"1"\r\n"2"\n', fields: [['1'], ['2']] },
  { name: 'characters beyond ASCII', text: 'é,日本\n', fields: [['é', '日本']] },
  { name: 'text after a closing quote (a quote not doubled)', text: '0,"a "word",1\n', error: { code: 'BN_MALFORMED_CSV', line: 1, column: 2 } },
  { name: 'text right after a quoted first field', text: '1\n"foo"bar\n', error: { code: 'BN_MALFORMED_CSV', line: 2, column: 1 } },
  { name: 'text after a quoted line break', text: '1\n"b\nc"d\n', error: { code: 'BN_MALFORMED_CSV', line: 2, column: 1 } },
  { name: 'a space after a closing quote', text: '"k" ,1\n', error: { code: 'BN_MALFORMED_CSV', line: 1, column: 1 } },
  { name: 'the line of an error after a record of several lines', text: '"a\n\nb",1\n2,"c"d\n', error: { code: 'BN_MALFORMED_CSV', line: 4, column: 2 } },
  { name: 'lazy quotes: text after a closing quote is text', text: '0,"a "word",1\n', fields: [['0', '"a "word"', '1']], lazyQuotes: true },
  { name: 'lazy quotes: a quoted line break then text', text: '"b\nc"d\n', fields: [['"b\nc"d']], lazyQuotes: true },
  { name: 'a quote never closed', text: '1\n"2,3\n', error: { code: 'BN_MALFORMED_CSV', line: 2 } },
  { name: 'a short record', text: '1,2\n3\n', error: { code: 'BN_RAGGED_ROW', line: 2 } },
  { name: 'a short record after mixed line ends', text: '1,2\r\n3,4\n5\r\n', error: { code: 'BN_RAGGED_ROW', line: 3 } },
];

const dir = mkdtempSync(path.join(tmpdir(), 'bn-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(c: Case): string {
  const file = path.join(dir, `${CASES.indexOf(c)}.csv`);
  writeFileSync(file, c.text);
  return file;
}

/** What a case expects, in the terms of a reader's result. */
function expected(c: Case, read: Read): void {
  if (c.error) {
    expect(read.error).toMatchObject({ code: c.error.code, location: { line: c.error.line, ...(c.error.column ? { column: c.error.column } : {}) } });
  } else {
    expect(read.error).toBeUndefined();
    expect(read.rows.map((r) => r.cells)).toEqual(c.fields);
  }
}

describe('CSV conformance', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: every reader', async (_name, c) => {
    const bytes = Buffer.from(c.text, 'utf8');
    const options = { delimiter: ',', header: false, label: 'in.csv', lazyQuotes: c.lazyQuotes };
    const { general, fast } = await both(bytes, ',', false, [], options);
    expected(c, general);
    expect(fast).toEqual(general);
    // Cut after every byte: splits inside a CRLF, a "" and a character must not matter.
    expect((await both(bytes, ',', false, Array.from({ length: bytes.length }, (_, i) => i), options)).fast).toEqual(general);
    const file = fileOf(c);
    expect(await fromFile(file, { ...options, label: 'in.csv' })).toEqual(general);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: bn stats alike with BN_NO_FAST=1, -j 1 and -j 2', async (_name, c) => {
    const file = fileOf(c);
    const args = ['stats', '-n', '--to', 'csv', ...(c.lazyQuotes ? ['--lazy-quotes'] : []), file];
    const general = await bnInProcess(args, '', { env: { BN_NO_FAST: '1' } });
    if (c.error) {
      expect(general.code).toBe(1);
      expect(general.stderr).toMatch(new RegExp(`^bn: ${file.replaceAll(/[.\\/]/g, '\\$&')}:${c.error.line}${c.error.column ? `:${c.error.column}` : ''}[: ]`));
      expect(general.stderr.trim().split('\n')).toHaveLength(1);
    }
    for (const jobs of ['1', '2']) expect(await bnInProcess([...args, '-j', jobs], '', { env: { BN_JOBS_BLOCK: '8' } })).toEqual(general);
  });
});

describe('mixed line ends across byte ranges', () => {
  it('a file of LF and CRLF lines, cut into blocks for the workers: every row read, alike with any reader and -j', async () => {
    const file = path.join(dir, 'mixed.csv');
    const lines = ['x,y'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i % 7}${i % 3 === 0 ? '\r' : ''}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const general = await bnInProcess(['stats', '--to', 'csv', file], '', { env: { BN_NO_FAST: '1' } });
    expect(general).toMatchObject({ code: 0, stderr: '' });
    // y too: a `3\r` taken for text would make it no feature at all.
    expect(general.stdout).toMatch(/^x,3000,1499\.5,/m);
    expect(general.stdout).toMatch(/^y,3000,/m);
    for (const jobs of ['1', '2']) expect(await bnInProcess(['stats', '--to', 'csv', '-j', jobs, file], '', { env: { BN_JOBS_BLOCK: '4096' } })).toEqual(general);
  });
});
