/**
 * The hostile-input corpus (fixtures/bad/cases.json): every case gives its documented error —
 * a BnError with the code, exit status and location of the manifest, printed as one line — or
 * its correct result, and never an internal error, a hang or a polluted prototype.
 *
 * Each case runs in-process (the error object itself, or the output; Object.prototype checked
 * after every run), and each error of a committed file as a real process too (exit status, one
 * line on stderr).
 * The big and deep inputs are generated once, here, into a temporary directory.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BnError, type ErrorCode, type ErrorLocation } from '../../src/errors.js';
import { bnOutcome, bnProcess, expectClose, expectOneLineError, ROOT } from '../helpers/run-bn.js';

interface Case {
  name: string;
  input?: string;
  generate?: string;
  args: string[];
  exit: 0 | 1 | 2;
  error?: { code: ErrorCode; location: ErrorLocation; message: string };
  stdout?: string;
  json?: Record<string, unknown>;
  close?: Record<string, number[]>;
  stdoutLines?: number;
  stdoutEnds?: string;
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/bad/cases.json'), 'utf8')) as { cases: Case[] };
const MB = 1 << 20;

/** The generated inputs: too big or too deep to commit. */
const GENERATORS: Record<string, () => string> = {
  'line-50mb.csv': () => `a,b\n1,"${'x'.repeat(50 * MB)}"\n3,y\n`,
  'line-50mb.ndjson': () => `{"a":1,"b":"${'x'.repeat(50 * MB)}"}\n{"a":3,"b":"y"}\n`,
  'number-50mb.csv': () => `a,b\n1,2\n${'9'.repeat(50 * MB)},4\n`,
  'columns-10000.csv': () => {
    const row = (r: number) => Array.from({ length: 10_000 }, (_, i) => i + r).join(',');
    return `${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')}\n${row(0)}\n${row(1)}\n${row(2)}\n`;
  },
  'keys-10000.ndjson': () => Array.from({ length: 10_000 }, (_, i) => `${JSON.stringify({ a: i % 2, [`k${i}`]: i })}\n`).join(''),
  'depth-100000.json': () => `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`,
  'depth-100000.ndjson': () => `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`,
  'stats-depth-100000.json': () => `{"format":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
};

let dir: string;
const generated = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bn-corpus-'));
  for (const c of manifest.cases) {
    if (c.generate === undefined || generated.has(c.generate)) continue;
    const make = GENERATORS[c.generate];
    if (!make) throw new Error(`no generator for ${c.generate}`);
    const file = path.join(dir, c.generate);
    writeFileSync(file, make());
    generated.set(c.generate, file);
  }
});

/** The case's path for `{input}`: the committed file (relative to the repository) or the generated one. */
function inputOf(c: Case): string {
  if (c.input !== undefined) return c.input;
  const file = generated.get(c.generate!);
  if (!file) throw new Error(`${c.name}: neither input nor a generated file`);
  return file;
}

function substitute<T>(value: T, input: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('{input}', input.replaceAll('\\', '\\\\'))) as T;
}

/** Everything Object.prototype and Array.prototype hold, to compare before and after a run. */
function prototypes(): Map<string, PropertyDescriptor | undefined> {
  const seen = new Map<string, PropertyDescriptor | undefined>();
  for (const [name, proto] of [['Object', Object.prototype], ['Array', Array.prototype]] as const) {
    for (const key of Reflect.ownKeys(proto)) seen.set(`${name}.${String(key)}`, Object.getOwnPropertyDescriptor(proto, key));
  }
  return seen;
}

function expectSuccess(c: Case, stdout: string): void {
  if (c.stdout !== undefined) expect(stdout).toBe(c.stdout);
  if (c.json !== undefined) expect(JSON.parse(stdout)).toMatchObject(c.json);
  if (c.close !== undefined) {
    const got = JSON.parse(stdout) as Record<string, number[]>;
    for (const [key, values] of Object.entries(c.close)) {
      values.forEach((want, i) => expectClose(got[key]![i]!, want, 1e-12));
    }
  }
  if (c.stdoutLines !== undefined) expect(stdout.split('\n').length - 1).toBe(c.stdoutLines);
  if (c.stdoutEnds !== undefined) expect(stdout.endsWith(c.stdoutEnds)).toBe(true);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the corpus: in-process', () => {
  it('has a case for every generator, and a file or generator for every case', () => {
    expect(new Set(manifest.cases.flatMap((c) => (c.generate ? [c.generate] : [])))).toEqual(new Set(Object.keys(GENERATORS)));
    for (const c of manifest.cases) expect(c.input === undefined, c.name).toBe(c.generate !== undefined);
  });

  it.each(manifest.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const input = inputOf(c);
    const args = substitute(c.args, input);
    const before = prototypes();
    const { error, stdout } = await bnOutcome(args);
    // Nothing reached a prototype: no new, changed or removed property.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypes()).toEqual(before);

    if (c.exit === 0) {
      if (error !== undefined) throw error;
      expectSuccess(c, stdout);
      return;
    }
    if (!(error instanceof BnError)) throw new Error(`expected a BnError, got ${error instanceof Error ? error.stack : String(error)}`);
    const expected = substitute(c.error!, input);
    expect({ code: error.code, exit: error.exitCode, location: error.location }).toEqual({ code: expected.code, exit: c.exit, location: expected.location });
    expect(error.message).toMatch(new RegExp(expected.message));
    // What run() prints: one line, the location first.
    expect(`bn: ${error.describe()}`).toMatch(/^bn: [^\n]*$/);
    if (args[0] === 'stats') expect(stdout).toBe('');
  });
});

// The line printed and the exit status of each error (results are checked by the in-process run).
describe.concurrent('the corpus: errors of the committed files through the executable', () => {
  it.each(manifest.cases.filter((c) => c.input !== undefined && c.exit !== 0).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const input = inputOf(c);
    const r = await bnProcess(substitute(c.args, input));
    expect(r.code).toBe(c.exit);
    const { message } = substitute(c.error!, input);
    // The location printed first, then the message of the manifest (which may be unanchored).
    const what = message.startsWith('^') ? message.slice(1) : `.*${message}`;
    expectOneLineError(r.stderr, new RegExp(`^bn: ${escape(input)}[^ ]*( \\(column "[^"]*"\\))?: ${what}`));
    if (c.args[0] === 'stats') expect(r.stdout).toBe('');
  });
});
