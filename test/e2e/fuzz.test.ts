/**
 * Fuzzing (fast-check, fixed seeds, bounded runs): random CSV, JSON, NDJSON and stats-file bytes
 * through the whole CLI in-process (run(), as bin/bn calls it). Whatever the input, bn ends with
 * a result (status 0) or a BnError (status 1 or 2, one line `bn: …` on stderr) — never an
 * internal error, a hang (each run has a deadline), a non-finite number in its output, or a
 * change to Object.prototype.
 *
 * Settings: NUM_RUNS runs a property, seeds fixed below; to explore, change a seed (fast-check
 * prints the seed and path of any failure, which replays it).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bnInProcess, type BnResult } from '../helpers/run-bn.js';

const NUM_RUNS = 400;
/** A run that takes longer has hung: bn reads these inputs in milliseconds. */
const DEADLINE_MS = 10_000;

let dir: string;
let protoKeys: (string | symbol)[];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bn-fuzz-'));
  protoKeys = Reflect.ownKeys(Object.prototype);
});

afterAll(() => {
  expect(Reflect.ownKeys(Object.prototype)).toEqual(protoKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

async function bn(args: readonly string[], stdin: string | Buffer = ''): Promise<BnResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bn ${args.join(' ')} did not end within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([bnInProcess([...args], stdin), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A result, or a BnError printed as one line; never an internal error. */
function expectOutcome(r: BnResult, what: string): void {
  expect([0, 1, 2], what).toContain(r.code);
  if (r.code === 0) {
    expect(r.stderr, what).toBe('');
    return;
  }
  expect(r.stderr, what).toMatch(/^bn: [^\n]*\n$/);
  expect(r.stderr, what).not.toMatch(/internal error/);
}

/** `bn stats --to json`: every statistic a feature has is a number (JSON null would be a hidden Infinity or NaN). */
function expectFiniteStats(stdout: string): void {
  const s = JSON.parse(stdout) as Record<string, (number | null)[]> & { batches: Record<string, (number | null)[]>[] };
  for (const part of [s, ...s.batches]) {
    part.count!.forEach((n, f) => {
      expect(part.mean![f]).toEqual(n! > 0 ? expect.any(Number) : null);
      expect(part.var![f]).toEqual(n! > 0 ? expect.any(Number) : null);
      if (part.var_sample) expect(part.var_sample[f]).toEqual(n! > 1 ? expect.any(Number) : null);
    });
  }
}

/** NDJSON rows from a CSV input: feature cells are finite numbers, other cells strings (or null: missing). */
function expectFiniteRows(stdout: string): void {
  for (const line of stdout.split('\n').filter(Boolean)) {
    for (const value of Object.values(JSON.parse(line) as Record<string, unknown>)) {
      if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
    }
  }
}

// Pieces of hostile text: numbers at the edges of float64, missing markers, quoting, line breaks,
// a BOM, NUL, prototype names, non-ASCII.
const TOKENS = [
  '1', '-0', '2.5', '3', '1e308', '-1e308', '1.7e308', '5e-324', '1e-320', '1e309', '-1e999', '1e-400',
  '12345678901234567890123456789012345678901234', ' 3 ', '+.5', '5.', '1e', '0x10', '1,5',
  'NaN', 'NA', 'N/A', 'null', 'nan', '', 'Infinity', '-inf', 'x', 'é', '\u2028',
  '"', '""', '"a,b"', '"x\ny"', ',', ',', ',', '\t', '\n', '\n', '\n', '\r\n', '\r', '\ufeff', '\u0000',
  '__proto__', 'constructor', 'toString', '{', '}', '[', ']', ':',
];
const token = fc.constantFrom(...TOKENS);

const csvArgs = fc.constantFrom(
  ['stats', '--to', 'json'],
  ['stats', '-b', '2', '--to', 'json'],
  ['stats', '-n', '--to', 'json'],
  ['stats', '--from', 'tsv', '--to', 'json'],
  ['normalize', '--to', 'ndjson'],
  ['normalize', '-b', '3', '--to', 'ndjson'],
  ['normalize', '-e', '0', '--to', 'ndjson'],
  ['normalize', '--gamma', '1e308', '--beta=-1e308', '--to', 'ndjson'],
  ['normalize', '-b', '2', '--gamma', '1.7e308', '--to', 'ndjson'],
  ['normalize', '--select', '1', '--to', 'ndjson'],
  ['normalize', '-d', ';', '--precision', '3', '--to', 'ndjson'],
  ['normalize'],
  ['normalize', '--to', 'json'],
  ['stats', '--save-stats', '-'],
);

/**
 * A number: mostly of everyday size, some anywhere in float64 (a random double is as likely to be
 * 1e200 as 1, and most of those have a variance beyond float64), some at the edges.
 */
const number = fc.oneof(
  { weight: 40, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 10, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -1e308, 1.7e308, 1e154, -1e154, 5e-324, 1e-300, -0) },
);

/** A table cell: mostly a number, now and then a token. */
const cell = fc.oneof({ weight: 30, arbitrary: number.map(String) }, { weight: 1, arbitrary: token });

/** Text made of hostile tokens, a header-and-rows table of edge numbers, or raw bytes. */
const csvInput = fc.oneof(
  fc.array(token, { maxLength: 80 }).map((parts) => parts.join('')),
  // A well-formed table (so that the numbers reach the engine): 1 to 4 named columns, full rows.
  fc
    .integer({ min: 1, max: 4 })
    .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 2, maxLength: 12 }).map((rows) => [['a', '__proto__', 'b', 'constructor'].slice(0, width), ...rows]))
    .map((rows) => rows.map((row) => row.join(',')).join('\n')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

/** A JSON value of the kinds records hold: mostly numbers (edges of float64 included), some of anything. */
const jsonValue = fc.oneof(
  { weight: 40, arbitrary: number },
  { weight: 2, arbitrary: fc.constantFrom(null, true, 'NA', '1', 'x') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
/** Keys repeat across records (so that columns do), prototype names and duplicates included. */
const jsonKey = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'toString') }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
/** An object's text, written by hand: JSON.stringify could not write a "__proto__" key or a key twice. */
const objectText = fc.array(fc.tuple(jsonKey, jsonValue), { minLength: 1, maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
/** Records of one kind: objects, or arrays of one width; now and then anything at all. */
const recordTexts = fc.oneof(
  { weight: 4, arbitrary: fc.array(objectText, { minLength: 2, maxLength: 10 }) },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 1, max: 4 }).chain((width) => fc.array(fc.array(jsonValue, { minLength: width, maxLength: width }).map((a) => JSON.stringify(a)), { minLength: 2, maxLength: 10 })),
  },
  { weight: 1, arbitrary: fc.array(fc.oneof(objectText, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))), { maxLength: 6 }) },
);

/** Break a text: cut it, or put a stray token somewhere. */
function corrupt(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      text,
      // One text in four is broken: the others must get through the parser to test what follows it.
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom('', ',', ']', '}', '{', '"', '1e999', '\n', 'NaN', '\\', '\u0000')) },
      ),
    )
    .map(([t, edit]) => (edit === null ? t : t.slice(0, edit[0] % (t.length + 1)) + edit[2] + t.slice((edit[0] % (t.length + 1)) + edit[1])));
}

const jsonInput = corrupt(recordTexts.map((records) => `[${records.join(',')}]`));
const ndjsonInput = corrupt(recordTexts.map((records) => records.join('\n')));
const jsonArgs = (format: string) =>
  fc.constantFrom(
    ['stats', '--from', format, '--to', 'json'],
    ['stats', '--from', format, '-b', '2', '--to', 'json'],
    ['normalize', '--from', format],
    ['normalize', '--from', format, '-b', '2', '--to', 'csv'],
    ['normalize', '--from', format, '--to', 'ndjson', '--select', '/./'],
  );

async function check(args: readonly string[], input: string | Buffer): Promise<void> {
  const what = JSON.stringify({ args, input: input.toString() });
  const r = await bn(args, input);
  expectOutcome(r, what);
  if (r.code !== 0) return;
  if (args[0] === 'stats' && args.includes('json')) expectFiniteStats(r.stdout);
  if (args[0] === 'normalize' && args.includes('ndjson') && !args.includes('--from')) expectFiniteRows(r.stdout);
}

describe('fuzzing the readers through the CLI (in-process)', () => {
  it('CSV and TSV', async () => {
    await fc.assert(fc.asyncProperty(csvInput, csvArgs, async (input, args) => check(args, input)), { numRuns: NUM_RUNS, seed: 20240701 });
  });

  it('JSON', async () => {
    await fc.assert(fc.asyncProperty(jsonInput, jsonArgs('json'), async (input, args) => check(args, input)), { numRuns: NUM_RUNS, seed: 20240702 });
  });

  it('NDJSON', async () => {
    await fc.assert(fc.asyncProperty(ndjsonInput, jsonArgs('ndjson'), async (input, args) => check(args, input)), { numRuns: NUM_RUNS, seed: 20240703 });
  });

  it('stats files (--stats, denormalize, merge)', async () => {
    const valid = {
      format: 'bn-stats', version: 1, features: ['a', 'b'], weight: [1, 1], bias: [0, 0], running_mean: [2, 3], running_var: [2, 2],
      num_batches_tracked: 1, eps: 1e-5, momentum: null, preset: 'torch', count: [2, 2], mean: [2, 3], var: [1, 1], mean_lo: [0, 0],
    };
    const keys = [...Object.keys(valid), 'gamma', 'beta', 'moving_mean', 'moving_variance', '__proto__', 'constructor'];
    // Numbers of every size, the edges of float64 often: a file's mean of 1e308 meets another's of 2.
    const statNumber = fc.oneof(number, fc.double(), fc.constantFrom(1e308, -1e308, 1.7e308, 1e154, -0, 5e-324, 0));
    const value = fc.oneof(
      // Mostly arrays of the valid file's length (2), so that a file passes validation and its
      // numbers reach the merge and the transform.
      { weight: 6, arbitrary: fc.array(statNumber, { minLength: 2, maxLength: 2 }) },
      { weight: 2, arbitrary: fc.array(statNumber, { maxLength: 3 }) },
      { weight: 2, arbitrary: statNumber },
      { weight: 1, arbitrary: fc.array(fc.constantFrom('a', 'b', '__proto__', 'constructor', 1, null), { maxLength: 3 }) },
      { weight: 2, arbitrary: jsonValue },
    );
    // Four in five start from a valid file and change up to 3 keys; the others are those keys alone.
    const doc = fc.tuple(fc.nat(4), fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3 })).map(([start, edits]) => {
      const fromValid = start > 0;
      const base: Record<string, unknown> = fromValid ? { ...valid } : {};
      for (const [k, v] of Object.entries(edits)) Object.defineProperty(base, k, { value: v, enumerable: true, writable: true, configurable: true });
      return JSON.stringify(base);
    });
    const file = path.join(dir, 'stats.json');
    const validFile = path.join(dir, 'valid.json');
    writeFileSync(validFile, JSON.stringify(valid));
    const commands = fc.constantFrom(
      ['normalize', 'fixtures/bad/data.csv', '--stats', file, '--to', 'ndjson'],
      ['denormalize', 'fixtures/bad/data.csv', '--stats', file, '--to', 'ndjson'],
      ['merge', file, validFile],
      ['merge', file],
    );
    await fc.assert(
      fc.asyncProperty(corrupt(doc), commands, async (text, args) => {
        writeFileSync(file, text);
        const r = await bn(args);
        const what = JSON.stringify({ args, text });
        expectOutcome(r, what);
        if (r.code === 0 && args[0] !== 'merge') expectFiniteRows(r.stdout);
        // A merged file holds numbers where numbers belong (JSON null would be a hidden Infinity).
        if (r.code === 0 && args[0] === 'merge') expect(r.stdout, what).not.toMatch(/null(?!,"preset")/);
      }),
      { numRuns: NUM_RUNS, seed: 20240704 },
    );
  });
});
