/**
 * CSV without -d: the delimiter comes from the first lines (a file, standard input, a gzip file),
 * a terminal is told which was taken, .tsv keeps the tab, -d wins, and a table still read as one
 * column names the delimiter it seems to hold.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-dialects-'));
const COMMA = 'id,price,note\n1,2.5,a\n2,3.5,b\n3,4.25,"c; d"\n';
const file = (name: string, text: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function stats(args: string[], stdin?: string | Buffer, stderrTTY = false) {
  const r = await bnInProcess(['stats', '--to', 'json', ...args], stdin, { stderrTTY });
  expect(r.code, r.stderr).toBe(0);
  return { stats: JSON.parse(r.stdout), stderr: r.stderr.replace(/\x1b\[\d+m/g, '') }; // without the terminal's dim
}

describe('CSV delimiter sniffing', () => {
  it.each([';', '\t', '|'])('%j-separated: a file, standard input and a gzip file without -d read as the comma file', async (d) => {
    const text = COMMA.replace(/,/g, d);
    const expected = (await stats([file('comma.csv', COMMA)])).stats;
    expect(expected.features).toEqual(['id', 'price']);
    const named = `sep-${d === '\t' ? 'tab' : d === '|' ? 'pipe' : 'semi'}.csv`;
    expect((await stats([file(named, text)])).stats).toEqual(expected);
    expect((await stats([], text)).stats).toEqual(expected);
    expect((await stats([file(`${named}.gz`, zlib.gzipSync(text))])).stats).toEqual(expected);
  });

  it('normalize writes the sniffed delimiter back', async () => {
    const r = await bnInProcess(['normalize', file('semi.csv', COMMA.replace(/,/g, ';'))]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('id;price;note');
    expect(r.stdout).toContain(';"c; d"\n');
  });

  it('a terminal is told which delimiter was taken; a pipe, -q and the comma are not', async () => {
    const semi = file('told.csv', COMMA.replace(/,/g, ';'));
    expect((await stats([semi], undefined, true)).stderr).toContain('bn: fields separated by ";", as the first lines say (-d sets the delimiter)\n');
    expect((await stats([semi], undefined, false)).stderr).toBe('');
    expect((await stats([semi, '-q'], undefined, true)).stderr).toBe('');
    expect((await stats([file('plain.csv', COMMA)], undefined, true)).stderr).not.toContain('fields separated');
  });

  it('.tsv keeps the tab and -d wins: a table read as one column names the delimiter it seems to hold', async () => {
    const semi = COMMA.replace(/,/g, ';');
    for (const args of [[file('semi.tsv', semi)], [file('forced.csv', semi), '-d', ',']]) {
      const r = await bnProcess(['stats', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`bn: ${args[0]}: no numeric column, so no feature (see --select); its one column "id;price;note" looks split by ";": -d ';'\n`);
    }
  });

  it('numbers with a decimal comma (a ";" file from Europe) are text: when no column is numeric, the error names them and the conversion', async () => {
    const euro = 'id;price;qty\nA;1,5;2,25\nB;3,5;4\n';
    const want = '"price", "qty" hold numbers with a decimal comma, which bn does not read: write their commas as points first';
    for (const [args, env] of [[['-j', '1'], {}], [['-j', '2'], {}], [[], { BN_NO_FAST: '1' }]] as const) {
      const r = await bnProcess(['stats', ...args, file('euro.csv', euro)], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`bn: ${file('euro.csv', euro)}: no numeric column, so no feature (see --select); ${want}\n`);
    }
    // Converted as it says, the file reads.
    const converted = await bnProcess(['stats', '--to', 'csv'], { stdin: euro.replace(/,/g, '.') });
    expect(converted.stdout).toMatch(/^feature,count.*\nprice,2,2\.5,1,/);
  });
});
