/**
 * -j over a CSV file or standard input with quotes (../../src/pipeline/fast/block-scheduler.ts):
 * each block is cut just after an LF, a guess that the block before checks, and the main thread
 * reads on alone across a cut that fell inside a quoted field. Whatever the cuts, -j 2 and -j 3
 * must print the bytes of -j 1: the same statistics, the same normalized rows, the same error on
 * the same line.
 * BN_JOBS_BLOCK makes blocks of a few bytes, so that a small file has cuts everywhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bnInProcess, type BnResult } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-quoted-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (text: string) => {
  const p = path.join(dir, `in-${files++}.csv`);
  writeFileSync(p, text);
  return p;
};

/** `bn ARGS -j jobs FILE` with blocks of `block` bytes. */
const bn = (args: string[], jobs: number, block: number, data: string): Promise<BnResult> =>
  bnInProcess([...args, '-j', String(jobs), data], '', { env: { BN_JOBS_BLOCK: String(block) } });

/** `bn ARGS -j jobs` with `text` on standard input, in chunks of 1 to 97 bytes (a pipe's chunks are cut anywhere). */
const bnStdin = (args: string[], jobs: number, block: number, text: string): Promise<BnResult> => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = 1 + ((i * 37) % 97);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return bnInProcess([...args, '-j', String(jobs)], '', { env: { BN_JOBS_BLOCK: String(block) }, input: Readable.from(chunks) });
};

const COMMANDS = [['stats', '--to', 'json'], ['normalize'], ['stats', '-b', '3', '--to', 'json'], ['normalize', '--lazy-quotes']];

/** Every command's output with -j 2 (and others in `jobsList`) is -j 1's, for each block size. */
async function expectSameAsOneThread(text: string, blocks: number[], commands = COMMANDS, jobsList = [2]): Promise<BnResult[]> {
  const data = file(text);
  const results = [];
  for (const args of commands) {
    const one = await bn(args, 1, 1 << 20, data);
    for (const block of blocks) {
      for (const jobs of jobsList) expect({ args, block, jobs, ...(await bn(args, jobs, block, data)) }).toEqual({ args, block, jobs, ...one });
    }
    // Standard input, read in blocks by the main thread and parsed by workers: -j 1's bytes too.
    const stdinOne = await bnStdin(args, 1, 1 << 20, text);
    expect(stdinOne.stdout).toBe(one.stdout);
    for (const block of blocks.slice(0, 2)) expect({ args, block, stdin: true, ...(await bnStdin(args, 2, block, text)) }).toEqual({ args, block, stdin: true, ...stdinOne });
    results.push(one);
  }
  return results;
}

/** `rows` rows of two numbers and a quoted note made by `note(i)`. */
function table(rows: number, note: (i: number) => string, eol = '\n'): string {
  const lines = ['x,note,y'];
  for (let i = 0; i < rows; i++) lines.push(`${i % 13},"${note(i)}",${(i * 7) % 5}.5`);
  return lines.join(eol) + eol;
}

describe('-j over quoted fields', () => {
  it('quoted text with commas, "" and line breaks: the bytes of -j 1 for every block size', async () => {
    const text = table(400, (i) => (i % 9 === 0 ? `line ${i},\nnext` : i % 5 === 0 ? `say ""${i}""` : `t, ${i}`));
    const [stats] = await expectSameAsOneThread(text, [16, 64, 1000], COMMANDS, [2, 3]);
    expect(JSON.parse(stats!.stdout).rows).toBe(400);
  });

  it('a quote at a block boundary', async () => {
    // The header is 9 bytes; each row `1,"ab",2\n` is 9 bytes: cuts of 9·k bytes fall just before a quote.
    const text = `x,note,y\n${'1,"ab",2\n'.repeat(60)}`;
    await expectSameAsOneThread(text, [9, 18, 20, 21]);
  });

  it('"" at a block boundary', async () => {
    const text = table(120, () => '"""""",""');
    await expectSameAsOneThread(text, [17, 23, 31]);
  });

  it('a CRLF split between blocks', async () => {
    const text = table(150, (i) => (i % 4 === 0 ? 'a\r\nb' : 'c'), '\r\n');
    await expectSameAsOneThread(text, [11, 12, 13, 29]);
  });

  it('a line break inside quotes at a block boundary: the main thread reads on across it', async () => {
    // Every row's note holds line breaks, so many cuts fall inside quotes.
    const text = table(200, (i) => `${i}\n\n${i}\n`);
    await expectSameAsOneThread(text, [7, 16, 33, 64]);
  });

  it('one quoted field longer than many blocks, in the head and after it', async () => {
    const big = `${'word, \n'.repeat(3000)}end`;
    await expectSameAsOneThread(table(300, (i) => (i === 0 || i === 150 ? big : `n${i}`)), [64, 1000]);
  });

  it('a quote inside an unquoted field (12" pipe) and --lazy-quotes text after a closing quote', async () => {
    const lines = ['x,note,y'];
    for (let i = 0; i < 300; i++) lines.push(i % 3 === 0 ? `${i},12" pipe,1` : i % 3 === 1 ? `${i},"a\nb"c,2` : `${i},"q\n",3`);
    const data = `${lines.join('\n')}\n`;
    // Without --lazy-quotes, `"a"b` is an error: on the same line for every -j.
    const [strict] = await expectSameAsOneThread(data, [16, 40], [['stats', '--to', 'json']]);
    expect(strict!.code).toBe(1);
    expect(strict!.stderr).toMatch(/:3:2: malformed CSV: text after the closing quote of a quoted field "a\\nb"/);
    const [lazy] = await expectSameAsOneThread(data, [16, 40, 100], [['stats', '--lazy-quotes', '--to', 'json'], ['normalize', '--lazy-quotes']]);
    expect(lazy!.code).toBe(0);
  });

  it('errors after quoted line breaks name the line -j 1 names', async () => {
    const lines = ['x,note,y'];
    for (let i = 0; i < 500; i++) lines.push(`${i === 420 ? 'abc' : i},"multi\nline ${i}",${i}`);
    const [stats, normalized] = await expectSameAsOneThread(`${lines.join('\n')}\n`, [20, 100, 4096], [['stats'], ['normalize']]);
    expect(stats!.stderr).toMatch(/:842:1 \(column "x"\): not a number: "abc"/);
    expect(normalized!.stderr).toBe(stats!.stderr);
  });

  it('a quote never closed: the error of -j 1, on the line where its record starts', async () => {
    const text = `${table(300, (i) => `n ${i}`)}1,"open\n${'2,3,4\n'.repeat(200)}`;
    const [stats] = await expectSameAsOneThread(text, [32, 500], [['stats']]);
    expect(stats!.stderr).toMatch(/:302: malformed CSV: a quoted field opens on this line and is never closed/);
  });

  it('random quoted tables, cut anywhere (fast-check)', async () => {
    const cell = fc.oneof(
      fc.integer({ min: -50, max: 50 }).map(String),
      fc.constantFrom('"a,b"', '"x\ny"', '"x\r\ny"', '""""', '"say ""hi"""', '12" pipe', '""', '"\n"', 'NA', 'text'),
    );
    const row = fc.tuple(fc.integer({ min: 0, max: 99 }), cell, cell).map(([n, a, b]) => `${n},${a},${b}`);
    const doc = fc.record({ rows: fc.array(row, { minLength: 1, maxLength: 40 }), crlf: fc.boolean(), block: fc.integer({ min: 1, max: 120 }) });
    await fc.assert(
      fc.asyncProperty(doc, async ({ rows, crlf, block }) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = `n,a,b${eol}${rows.join(eol)}${eol}`;
        const data = file(text);
        for (const args of [['stats', '-s', 'n', '--to', 'json'], ['normalize', '-s', 'n']]) {
          const one = await bn(args, 1, 1 << 20, data);
          expect(await bn(args, 2, block, data)).toEqual(one);
          const stdinOne = await bnStdin(args, 1, 1 << 20, text);
          expect(await bnStdin(args, 2, block, text)).toEqual(stdinOne);
        }
      }),
      { numRuns: 30, seed: 20261206 },
    );
  }, 120_000);
});

describe('-j on standard input', () => {
  it('empty standard input: the error of -j 1', async () => {
    const one = await bnStdin(['stats'], 1, 16, '');
    expect(one.code).toBe(1);
    expect(await bnStdin(['stats'], 2, 16, '')).toEqual(one);
  });

  it('a header only: the result of -j 1', async () => {
    for (const args of [['stats', '--to', 'json'], ['normalize']]) {
      const one = await bnStdin(args, 1, 4, 'x,note,y\n');
      expect(await bnStdin(args, 2, 4, 'x,note,y\n')).toEqual(one);
    }
  });

  it('no line break at the end, a lone-CR file and a file without quotes, in tiny blocks', async () => {
    const plain = table(300, (i) => `n${i}`).replaceAll('"', '');
    for (const text of [plain.trimEnd(), plain.replaceAll('\n', '\r'), table(200, (i) => `a\n${i}`).trimEnd()]) {
      for (const args of [['stats', '--to', 'json'], ['normalize']]) {
        const one = await bnStdin(args, 1, 1 << 20, text);
        expect(one.code).toBe(0);
        expect(await bnStdin(args, 2, 24, text)).toEqual(one);
      }
    }
  });
});
