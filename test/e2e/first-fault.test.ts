/**
 * An input with two faults, a bad record and a byte that is not UTF-8: the one earlier in the
 * input is the error, however it is read — one thread in 256 KiB chunks, `-j` workers in blocks
 * of up to 2 MiB, standard input in blocks — so that `-j 2` names what `-j 1` names. (A reader
 * used to check a whole chunk or block before scanning any of it: a byte that is not UTF-8 then
 * hid a bad record before it in the same block, but not one in the block before.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bnInProcess } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-first-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows `i,i mod 7` of a two-column CSV, with `faults` put in at their rows (a whole line each, as bytes). */
function csv(rows: number, faults: Record<number, Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('a,b\n')];
  let run = '';
  for (let i = 0; i < rows; i++) {
    const fault = faults[i];
    if (fault === undefined) {
      run += `${i},${i % 7}\n`;
      continue;
    }
    parts.push(Buffer.from(run), fault);
    run = '';
  }
  parts.push(Buffer.from(run));
  return Buffer.concat(parts);
}

const RAGGED = Buffer.from('1,2,3\n');
const LATIN1 = Buffer.from([0x31, 0x2c, 0xe9, 0x0a]); // "1,é" in Latin-1

const outcomes = async (file: string, text: Buffer) => ({
  one: await bnInProcess(['stats', '-j', '1', file]),
  two: await bnInProcess(['stats', '-j', '2', file]),
  stdinOne: await bnInProcess(['stats', '-j', '1', '-'], text),
  stdinTwo: await bnInProcess(['stats', '-j', '2', '-'], text),
});

describe('two faults in one input: the earlier is the error, for -j 1 and -j 2, file and standard input', () => {
  // About 3 MB: rows 190,000 and 260,000 are ≈ 1.6 and ≈ 2.2 MB in, in one block of a -j 2 pass
  // (the head's 512 KiB, then blocks of 64 KiB doubling: [1,507,328, 2,555,904) after the cuts'
  // line ends) but in different 256 KiB chunks of a single thread.
  const ROWS = 360_000;

  it('a record with a field too many, then a byte that is not UTF-8: the record', async () => {
    const text = csv(ROWS, { 190_000: RAGGED, 260_000: LATIN1 });
    const [ragged, latin1] = [text.indexOf('1,2,3\n'), text.indexOf(0xe9)];
    expect(ragged).toBeGreaterThan(1_507_328 + 100);
    expect(latin1).toBeLessThan(2_555_904 - 100);
    expect(Math.floor(latin1 / (256 << 10))).toBeGreaterThan(Math.floor(ragged / (256 << 10)) + 1);
    const file = path.join(dir, 'ragged-first.csv');
    writeFileSync(file, text);
    const { one, two, stdinOne, stdinTwo } = await outcomes(file, text);
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(`bn: ${file}:190002: expected 2 fields, found 3\n`);
    expect(two).toEqual(one);
    expect(stdinOne.stderr).toBe('bn: <stdin>:190002: expected 2 fields, found 3\n');
    expect(stdinTwo).toEqual(stdinOne);
    expect(await bnInProcess(['stats', file], '', { env: { BN_NO_FAST: '1' } })).toEqual(one);
  });

  it('normalize -o of that input: the same error for -j 1 and -j 2 (whose workers write rows), exit 1, and no output file (SPEC §6)', async () => {
    const text = csv(ROWS, { 190_000: RAGGED, 260_000: LATIN1 });
    const file = path.join(dir, 'ragged-first-normalize.csv');
    writeFileSync(file, text);
    // --stats: one pass that writes, its workers writing the rows of their blocks before the fault.
    const stats = path.join(dir, 'stats.json');
    writeFileSync(path.join(dir, 'train.csv'), csv(1000, {}));
    expect((await bnInProcess(['stats', path.join(dir, 'train.csv'), '--save-stats', stats])).code).toBe(0);
    for (const j of ['1', '2']) {
      const out = path.join(dir, `out-${j}.csv`);
      const result = await bnInProcess(['normalize', '-j', j, file, '--stats', stats, '-o', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`bn: ${file}:190002: expected 2 fields, found 3\n`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a byte that is not UTF-8, then a record with a field too many: the byte', async () => {
    const text = csv(ROWS, { 160_000: LATIN1, 230_000: RAGGED });
    const file = path.join(dir, 'latin1-first.csv');
    writeFileSync(file, text);
    const at = text.indexOf(0xe9);
    const { one, two, stdinOne, stdinTwo } = await outcomes(file, text);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(new RegExp(`^bn: ${file}: not UTF-8 text: byte 0xe9 at byte offset ${at} `));
    expect(two).toEqual(one);
    expect(stdinOne.stderr).toMatch(new RegExp(`^bn: <stdin>: not UTF-8 text: byte 0xe9 at byte offset ${at} `));
    expect(stdinTwo).toEqual(stdinOne);
  });

  it('a byte that is not UTF-8 right after a closing quote, the last byte of a chunk one thread reads: the byte, not the text after the quote', async () => {
    // Rows of 13 bytes; one thread reads the head (512 KiB, on to the end of its line) and then
    // 256 KiB at a time. The first row after the head is made 12 bytes longer, so that the line
    // break of a row 20,163 rows on is the last byte of the chunk after the head: it becomes 0xe9.
    const head = 'a,b\n';
    const row = (i: number) => `${String(i).padStart(7, '0')},"xx"\n`;
    const rowsInHead = Math.ceil((512 * 1024 - 1 - head.length - 12) / 13) + 1;
    const atHeadEnd = head.length + 13 * rowsInHead;
    const rows: string[] = [];
    for (let i = 0; i < 80_000; i++) rows.push(i === rowsInHead ? `${String(i).padStart(7, '0')},"xx${'x'.repeat(12)}"\n` : row(i));
    const text = Buffer.from(head + rows.join(''));
    const at = atHeadEnd + (256 << 10) - 1;
    expect(text[at]).toBe(0x0a);
    expect(text[at - 1]).toBe(0x22);
    text[at] = 0xe9;
    const file = path.join(dir, 'quote-then-latin1.csv');
    writeFileSync(file, text);
    const one = await bnInProcess(['stats', '-j', '1', file]);
    expect(one.stderr).toMatch(new RegExp(`^bn: ${file}: not UTF-8 text: byte 0xe9 at byte offset ${at} `));
    expect(await bnInProcess(['stats', '-j', '2', file])).toEqual(one);
  });

  it('NDJSON: a file that ends inside a character: that is the error, not the JSON of its cut last line', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `{"a":${i},"b":${i % 7}}`);
    const text = Buffer.concat([Buffer.from(lines.join('\n') + '\n{"a":1,"b":'), Buffer.from('€').subarray(0, 2)]);
    const file = path.join(dir, 'cut-character.ndjson');
    writeFileSync(file, text);
    const one = await bnInProcess(['stats', '-j', '1', file]);
    expect(one.stderr).toMatch(new RegExp(`^bn: ${file}: not UTF-8 text: byte 0xe2 at byte offset ${text.length - 2} `));
    expect(await bnInProcess(['stats', '-j', '2', file])).toEqual(one);
  });

  it('NDJSON: a value that is not a number, then a byte that is not UTF-8: the value', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(i === 100_000 ? '{"a":"oops","b":2}' : `{"a":${i},"b":${i % 7}}`);
    const text = Buffer.from(lines.join('\n') + '\n');
    const bad = text.indexOf('{"a":112000,');
    text[bad + 5] = 0xe9;
    const file = path.join(dir, 'value-first.ndjson');
    writeFileSync(file, text);
    const one = await bnInProcess(['stats', '-j', '1', file]);
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(`bn: ${file}:100001 (column "a"): not a number: "oops"\n`);
    expect(await bnInProcess(['stats', '-j', '2', file])).toEqual(one);
    // The general reader (standard input, BN_NO_FAST=1) too.
    expect((await bnInProcess(['stats', '-'], text)).stderr).toBe('bn: <stdin>:100001 (column "a"): not a number: "oops"\n');
    expect(await bnInProcess(['stats', file], '', { env: { BN_NO_FAST: '1' } })).toEqual(one);
  });
});
