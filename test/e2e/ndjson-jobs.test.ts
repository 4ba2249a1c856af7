/**
 * NDJSON with -j: a file cut into byte ranges at line ends, read by worker threads, must print
 * what one thread prints (-j 1, the row reader) and what the JSON.parse reader prints
 * (BN_NO_FAST=1): the same bytes of `stats` (batches included) and `normalize` (whose statistics
 * pass is the parallel one), the same errors with the same line numbers, the same exit status.
 * Blocks are made small (BN_JOBS_BLOCK) so that these small files are split between workers,
 * and lines of every kind fall on either side of a cut.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_BYTES, ONE_THREAD_MAX_BLOCKS } from '../../src/cli/default-jobs.js';
import { document } from '../helpers/ndjson-documents.js';
import { bnInProcess, bnProcess, type BnResult } from '../helpers/run-bn.js';

const SEED = 4242;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-ndjson-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function writeDoc(text: string): string {
  const file = path.join(dir, `doc-${files++}.ndjson`);
  writeFileSync(file, text);
  return file;
}

const bn = (args: string[], env: Record<string, string> = {}) => bnInProcess(args, '', { env });

/** What bn prints for `args` on `file` with -j 1, -j 2, -j 3 (blocks of `block` bytes) and BN_NO_FAST=1: all alike, returned. */
async function expectAlike(args: string[], file: string, block = 64): Promise<BnResult> {
  const env = { BN_JOBS_BLOCK: String(block) };
  const one = await bn([...args, '-j', '1', file], env);
  expect(await bn([...args, '-j', '2', file], env)).toEqual(one);
  expect(await bn([...args, '-j', '3', file], env)).toEqual(one);
  expect(await bn([...args, '-j', '2', file], { ...env, BN_NO_FAST: '1' })).toEqual(one);
  return one;
}

const COMMANDS = [
  ['stats', '--to', 'json'],
  ['stats', '--to', 'json', '-b', '3'],
  ['normalize', '--to', 'ndjson'],
];

describe('NDJSON: -j 1 = -j 2 = -j 3 = BN_NO_FAST=1', () => {
  it.each(COMMANDS.map((args) => [args.join(' '), args] as const))('generated documents: %s', async (_name, args) => {
    await fc.assert(
      fc.asyncProperty(document, async (text) => {
        await expectAlike(args, writeDoc(text));
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  const flat = (i: number) => `{"a":${i / 4},"b":${-i},"t":"x${i % 3}"}`;
  const lines = Array.from({ length: 60 }, (_, i) => flat(i));
  const doc = (edit: (lines: string[]) => void, eol = '\n', last = eol) => {
    const copy = [...lines];
    edit(copy);
    return copy.join(eol) + last;
  };

  it.each([
    ['flat lines, cut inside lines at every block', doc(() => {})],
    ['CRLF', doc(() => {}, '\r\n')],
    ['no line break at the end', doc(() => {}, '\n', '')],
    ['blank lines, in blocks and at the end', doc((l) => l.splice(30, 0, '', '  ', '\t'), '\n', '\n\n')],
    ['a nested line and keys in another order in a later block', doc((l) => ((l[35] = '{"a":1,"b":2,"t":{"n":[1]}}'), (l[40] = '{"b":7,"a":0.5,"t":"y"}')))],
    ['an escape and an absent key in a later block', doc((l) => ((l[33] = '{"a":2,"b":3,"t":"\\u00e9"}'), (l[44] = '{"a":2,"t":"z"}')))],
    ['a key first seen in a later block (a new feature from there on)', doc((l) => ((l[38] = '{"a":1,"b":2,"t":"x","c":5}'), (l[50] = '{"a":1,"b":2,"t":"x","c":7}')))],
    ['a BOM', `\ufeff${doc(() => {})}`],
  ])('%s', async (_name, text) => {
    for (const args of COMMANDS) expect((await expectAlike(args, writeDoc(text), 100)).code).toBe(0);
  });

  it.each([
    ['a bad value in a later block', (l: string[]) => (l[41] = '{"a":"abc","b":1,"t":"x"}'), ':42 (column "a"): not a number: "abc"'],
    ['invalid JSON in a later block', (l: string[]) => (l[41] = '{"a":1,"b":2'), ':42:13: invalid JSON: unexpected end of input'],
    ['a bad value before invalid JSON in the same block: the first line is the error', (l: string[]) => ((l[41] = '{"a":"abc","b":1,"t":"x"}'), (l[42] = '{"a":1,')), ':42 (column "a"): not a number: "abc"'],
    ['an array among objects', (l: string[]) => (l[55] = '[1,2,3]'), ':56: found an array after records that are objects'],
    ['a number past float64', (l: string[]) => (l[47] = '{"a":1e999,"b":1,"t":"x"}'), ':48 (column "a"): number out of float64 range: a JSON number beyond 1.8e308'],
    ['a bad value after a new key (read by the main thread)', (l: string[]) => ((l[38] = '{"a":1,"b":2,"t":"x","c":5}'), (l[52] = '{"a":1,"b":2,"t":"x","c":"?"}')), ':53 (column "c"): not a number: "?" (a marker of a missing value? name it with --na-values, which replaces the default list)'],
  ])('%s: the same error, its line in the file', async (_name, edit, where) => {
    const file = writeDoc(doc(edit));
    for (const args of COMMANDS) {
      const result = await expectAlike(args, file, 100);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`bn: ${file}${where}\n`);
    }
  });

  // The workers get the missing markers with the pass's setup: a marker of --na-values in a later
  // block is missing there too, and the default ones are then values like any text.
  it('--na-values in a later block: the same counts, and the same error for a default marker it replaced', async () => {
    const marked = writeDoc(doc((l) => ((l[41] = '{"a":"-","b":1,"t":"x"}'), (l[45] = '{"a":null,"b":1,"t":"x"}'))));
    const counts = await expectAlike(['stats', '--to', 'json', '--na-values', '-'], marked, 100);
    expect(counts.code).toBe(0);
    expect(JSON.parse(counts.stdout).count).toEqual([58, 60]);
    const replaced = writeDoc(doc((l) => (l[41] = '{"a":"NA","b":1,"t":"x"}')));
    const refused = await expectAlike(['stats', '--to', 'json', '--na-values', '-'], replaced, 100);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`bn: ${replaced}:42 (column "a"): not a number: "NA" (a marker of a missing value? name it with --na-values, which replaces the default list)\n`);
  });
});

describe('NDJSON -j with the real executable', () => {
  it('a line of 20 MB between flat lines: read by the main thread, not by a worker whose heap it would burst (V8 aborted the process)', async () => {
    const flat = (i: number) => `{"a":${i},"b":${i / 8}}`;
    const head = Array.from({ length: 150_000 }, (_, i) => flat(i)).join('\n');
    const file = writeDoc(`${head}\n{"a":1,"b":2,"s":"${'y'.repeat(20 << 20)}"}\n${head}\n`);
    const one = await bnProcess(['stats', '--to', 'json', '-j', '1', file]);
    expect(one.code).toBe(0);
    for (let k = 0; k < 3; k++) expect(await bnProcess(['stats', '--to', 'json', '-j', '2', file])).toEqual(one);
  });

  it('a file large enough for worker threads at launch: -j 2 prints what -j 1 and BN_NO_FAST=1 print', async () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => `{"x":${((i * 7919) % 10007) / 101},"y":${-i / 3},"z":${i % 13 === 0 ? 'null' : i},"tag":"t${i % 5}"}`);
    const file = writeDoc(`${rows.join('\n')}\n`);
    expect(statSync(file).size).toBeGreaterThan(ONE_THREAD_MAX_BLOCKS * BLOCK_BYTES);
    for (const args of [['stats', '--to', 'json'], ['normalize']]) {
      const one = await bnProcess([...args, '-j', '1', file]);
      expect(one.code).toBe(0);
      expect(await bnProcess([...args, '-j', '2', file])).toEqual(one);
      expect(await bnProcess([...args, file])).toEqual(one);
      expect(await bnProcess([...args, file], { env: { BN_NO_FAST: '1' } })).toEqual(one);
    }
  });
});
