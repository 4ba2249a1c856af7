/**
 * Running bn in tests: `bnProcess` spawns the real executable (end-to-end: argv, stdio, exit
 * status), `bnInProcess` calls run() with in-memory streams (fast, for the many error cases).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { expect } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { run } from '../../src/cli/run.js';
import { BnError, type ErrorCode, type ErrorLocation } from '../../src/errors.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/bn');
export const fixture = (name: string) => path.join(ROOT, 'fixtures', name);

/** The commander program, its output thrown away: for reading its commands and options. */
export function quietProgram(): Command {
  const sink = new PassThrough().resume();
  return buildProgram({ stdin: Readable.from([]), stdout: sink, stderr: sink, env: {} });
}

export interface BnResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Collect a child's output and exit status. */
function collect(child: ChildProcess): Promise<BnResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function bnProcess(
  args: string[],
  options: { stdin?: string | Buffer; env?: Record<string, string>; cwd?: string; node?: string[] } = {},
): Promise<BnResult> {
  // process.execPath: the suite runs bn under the same Node it runs on (20 or 24 in CI).
  // `node`: flags for Node itself, e.g. --max-old-space-size to bound the heap.
  const child = spawn(process.execPath, [...(options.node ?? []), BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // No colour, whatever the environment of the test run says (FORCE_COLOR would win over NO_COLOR).
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
  });
  const result = collect(child);
  child.stdin.on('error', () => {}); // bn may exit before reading all of it
  child.stdin.end(options.stdin ?? '');
  return result;
}

/**
 * Run a bash script (`-e` with `errexit`, and `pipefail`) in which `$BN` is the executable under
 * test; `path` dirs go first on the PATH (e.g. one with a `bn` shim, to run recipes verbatim).
 */
export function shell(script: string, options: { cwd?: string; path?: string[]; errexit?: boolean } = {}): Promise<BnResult> {
  const flags = options.errexit ? ['-e', '-o', 'pipefail'] : ['-o', 'pipefail'];
  const PATH = [...(options.path ?? []), process.env.PATH ?? ''].join(path.delimiter);
  return collect(
    spawn('bash', [...flags, '-c', script], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, BN: `${process.execPath} ${BIN}`, PATH },
    }),
  );
}

export interface InProcessOptions {
  env?: Record<string, string>;
  /** Make standard output / standard error look like a terminal (isTTY, 80 columns). */
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  /** Standard input as a stream of its own (e.g. a slow generator), instead of `stdin`. */
  input?: Readable;
}

export async function bnInProcess(args: string[], stdin: string | Buffer = '', options: InProcessOptions = {}): Promise<BnResult> {
  const tty = (stream: PassThrough, on = false) => (on ? Object.assign(stream, { isTTY: true, columns: 80 }) : stream);
  const out = tty(new PassThrough(), options.stdoutTTY);
  const err = tty(new PassThrough(), options.stderrTTY);
  let stdout = '';
  let stderr = '';
  out.on('data', (b: Buffer) => (stdout += b.toString()));
  err.on('data', (b: Buffer) => (stderr += b.toString()));
  const input = options.input ?? Readable.from([Buffer.from(stdin)]);
  const code = await run(args, { stdin: input, stdout: out, stderr: err, env: options.env ?? {} });
  return { code, stdout, stderr };
}

/** Parse CSV output of plain numbers/text (no quoting) into rows of cells. */
export function csvRows(text: string, delimiter = ','): string[][] {
  return text.trimEnd().split('\n').map((line) => line.split(delimiter));
}

/** |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0). */
export function expectClose(actual: number, expected: number, rel: number): void {
  // An infinite or NaN expectation would make the tolerance infinite (or the test vacuous).
  if (!Number.isFinite(expected)) throw new Error(`expectClose: the expected value ${expected} is not finite`);
  const tol = rel * Math.max(Math.abs(expected), expected === 0 ? 1 : 0);
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`expected ${actual} to be within ${rel} (relative) of ${expected}`);
  }
}

/**
 * Run a bn command in-process and return what it throws (run() would print it and turn it into
 * an exit status); undefined when it succeeds. For asserting an error's code and location.
 */
export async function bnThrows(args: string[], stdin: string | Buffer = ''): Promise<unknown> {
  return (await bnOutcome(args, stdin)).error;
}

/** Run a bn command in-process: what it wrote to standard output, and what it threw (undefined on success). */
export async function bnOutcome(args: string[], stdin: string | Buffer = ''): Promise<{ error: unknown; stdout: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(Buffer.from(b))); // a copy: writers reuse their buffers once a write is done
  const program = buildProgram({ stdin: Readable.from([Buffer.from(stdin)]), stdout: out, stderr: new PassThrough().resume(), env: {} });
  let error: unknown;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    error = err;
  }
  await new Promise((resolve) => setImmediate(resolve)); // the last 'data' events
  return { error, stdout: Buffer.concat(chunks).toString() };
}

export interface ExpectedError {
  code: ErrorCode;
  /** The exit status run() gives it (SPEC §6: 1 data, 2 usage). */
  exit: 1 | 2;
  location: ErrorLocation;
  /** A guard on the message (its exact words may change). */
  message?: RegExp;
}

/**
 * `failure` is a BnError with this code, exit status and location: a function that throws it, a
 * promise that rejects with it, or one that resolves to it (bnThrows).
 */
export async function expectBnError(failure: unknown, expected: ExpectedError): Promise<BnError> {
  let err: unknown;
  try {
    err = await (typeof failure === 'function' ? failure() : failure);
  } catch (rejected) {
    err = rejected;
  }
  if (!(err instanceof BnError)) throw new Error(`expected a BnError ${expected.code}, got ${err instanceof Error ? err.stack : String(err)}`);
  expect({ code: err.code, exit: err.exitCode, location: err.location }).toEqual({ code: expected.code, exit: expected.exit, location: expected.location });
  if (expected.message) expect(err.message).toMatch(expected.message);
  return err;
}

/** One line on stderr, `bn: ` first, no stack frame, matching `pattern` (SPEC §6). */
export function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^bn: /);
  expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack frame
  expect(stderr.trimEnd()).toMatch(pattern);
}
