/**
 * An input with two faults, a bad record and a byte that is not UTF-8: the one earlier in the
 * input is the error, however it is read — one thread in 256 KiB chunks, `-j` workers in blocks
 * of up to 2 MiB, standard input in blocks — so that `-j 2` names what `-j 1` names. (A reader
 * used to check a whole chunk or block before scanning any of it: a byte that is not UTF-8 then
 * hid a bad record before it in the same block, but not one in the block before.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** The byte offset of row `i`'s line in csv(…) before any fault (faults keep the offsets close enough). */
const RAGGED = Buffer.from('1,2,3\n');
const LATIN1 = Buffer.from([0x31, 0x2c, 0xe9, 0x0a]); // "1,é" in Latin-1

const outcomes = async (file: string, text: Buffer) => ({
  one: await bnInProcess(['stats', '-j', '1', file]),
  two: await bnInProcess(['stats', '-j', '2', file]),
  stdinOne: await bnInProcess(['stats', '-j', '1', '-'], text),
  stdinTwo: await bnInProcess(['stats', '-j', '2', '-'], text),
});

describe('two faults in one input: the earlier is the error, for -j 1 and -j 2, file and standard input', () => {
  // About 4.2 MB: rows 160,000 and 230,000 are ≈ 1.7 and ≈ 2.4 MB in, in one 2 MiB block of a -j 2
  // pass but in different 256 KiB chunks of a single thread.
  const ROWS = 360_000;

  it('a record with a field too many, then a byte that is not UTF-8: the record', async () => {
    const text = csv(ROWS, { 160_000: RAGGED, 230_000: LATIN1 });
    const file = path.join(dir, 'ragged-first.csv');
    writeFileSync(file, text);
    const { one, two, stdinOne, stdinTwo } = await outcomes(file, text);
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(`bn: ${file}:160002: expected 2 fields, found 3\n`);
    expect(two).toEqual(one);
    expect(stdinOne.stderr).toBe('bn: <stdin>:160002: expected 2 fields, found 3\n');
    expect(stdinTwo).toEqual(stdinOne);
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
    expect(one.stderr).toMatch(/^bn: .*value-first\.ndjson:100001/);
    expect(await bnInProcess(['stats', '-j', '2', file])).toEqual(one);
  });
});
