/**
 * Inference mode (`bn normalize --stats S`) and `bn denormalize --stats S` (SPEC §3): every row
 * with the saved running statistics, one pass, any number of rows; features matched by name (or
 * by position without `features`); flags override the file's γ, β, ε; usage and file errors.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { bnInProcess, bnProcess, expectClose, expectOneLineError } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-infer-'));
function statsFile(name: string, doc: object): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

// γ = [2, 0.5], β = [1, −1], running_mean = [10, 11], running_var = [36, 4], ε = 0 (exact by hand).
const S = statsFile('s.json', {
  format: 'bn-stats', version: 1, features: ['x1', 'x2'], weight: [2, 0.5], bias: [1, -1],
  running_mean: [10, 11], running_var: [36, 4], num_batches_tracked: 3, eps: 0, momentum: 0.1, preset: 'torch',
  count: [30, 30], mean: [10, 11], var: [35, 3.9],
});

describe('bn normalize --stats', () => {
  it('one row: y = γ·(x − running_mean)/√(running_var + ε) + β', async () => {
    const r = await bnInProcess(['normalize', '--stats', S], 'x1,x2\n16,15\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // x1: 2·(16 − 10)/6 + 1 = 3;  x2: 0.5·(15 − 11)/2 − 1 = 0.
    expect(r.stdout).toBe('x1,x2\n3,0\n');
  });

  it('--stats - reads the stats file from standard input when the data is a file (and bn export - too); with the data there as well, bad usage', async () => {
    const data = path.join(dir, 'one-row.csv');
    writeFileSync(data, 'x1,x2\n16,15\n');
    const r = await bnInProcess(['normalize', data, '--stats', '-'], readFileSync(S));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('x1,x2\n3,0\n');
    const both = await bnInProcess(['normalize', '--stats', '-'], 'x1,x2\n16,15\n');
    expect(both.code).toBe(2);
    expectOneLineError(both.stderr, /^bn: --stats -: standard input holds the data; name the stats file, or the data file$/);
    // denormalize (SPEC §1) reads it the same way: back to the row normalize was given.
    const normalized = path.join(dir, 'one-row-normalized.csv');
    writeFileSync(normalized, r.stdout);
    const back = await bnInProcess(['denormalize', normalized, '--stats', '-'], readFileSync(S));
    expect(back.stderr).toBe('');
    expect(back.stdout).toBe('x1,x2\n16,15\n');
    const sql = await bnInProcess(['export', '-', '--to', 'sql', '--table', 't'], readFileSync(S));
    expect(sql.stderr).toBe('');
    expect(sql.stdout).toBe((await bnInProcess(['export', S, '--to', 'sql', '--table', 't'])).stdout);
    const bad = await bnInProcess(['export', '-', '--to', 'sql', '--table', 't'], '{');
    expect(bad.code).toBe(1);
    expectOneLineError(bad.stderr, /^bn: <stdin>: invalid stats file: not valid JSON/);
  });

  it('no rows: the header alone', async () => {
    const r = await bnInProcess(['normalize', '--stats', S], 'x1,x2\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('x1,x2\n');
  });

  it('matches features by name: any column order, other columns and missing cells untouched, in place', async () => {
    const r = await bnInProcess(['normalize', '--stats', S], 'id,x2,name,x1,extra\n7,15,"a,b",NA,5\n8,,c,4,6\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('id,x2,name,x1,extra\n7,0,"a,b",NA,5\n8,,c,-1,6\n');
  });

  it('many rows stream through, each with the same statistics (no batches)', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${10 + 6 * (i % 3)},${11 + 2 * (i % 5)}`);
    const r = await bnInProcess(['normalize', '--stats', S], `x1,x2\n${rows.join('\n')}\n`);
    const out = r.stdout.trimEnd().split('\n').slice(1);
    expect(out).toHaveLength(5000);
    out.forEach((line, i) => expect(line).toBe(`${1 + 2 * (i % 3)},${-1 + 0.5 * (i % 5)}`));
  });

  it('--gamma, --beta, --epsilon override the file', async () => {
    const r = await bnInProcess(['normalize', '--stats', S, '--gamma', 'x2=1', '--beta', '0', '-e', '28'], 'x1,x2\n16,19\n');
    // x1: 2·6/√(36+28) + 0 = 1.5;  x2: 1·8/√(4+28) + 0 = √2.
    const [x1, x2] = r.stdout.split('\n')[1]!.split(',').map(Number);
    expect(x1).toBe(1.5);
    expectClose(x2!, Math.SQRT2, 1e-15);
  });

  it('Keras names without features: matched by position among the numeric columns', async () => {
    const k = statsFile('k.json', { gamma: [2, 0.5], beta: [1, -1], moving_mean: [10, 11], moving_variance: [36, 4], eps: 0 });
    const r = await bnInProcess(['normalize', '--stats', k], 'name,a,b\nq,16,15\n');
    expect(r.stdout).toBe('name,a,b\nq,3,0\n');
  });

  it('a PyTorch state_dict: ε defaults to 1e-5', async () => {
    const t = statsFile('t.json', { weight: [1], bias: [0], running_mean: [0], running_var: [1], num_batches_tracked: 0 });
    const r = await bnInProcess(['normalize', '--stats', t], 'a\n1\n');
    // 1/√(1 + 1e-5) correctly rounded (float64's 1 / Math.sqrt(1 + 1e-5) rounds twice: …4997).
    expect(Number(r.stdout.split('\n')[1])).toBe(0.9999950000374996);
  });

  it('writes -o atomically: bad data leaves no file', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-infer-o-')), 'out.csv');
    const r = await bnInProcess(['normalize', '--stats', S, '-o', out], 'x1,x2\n1,2\n3,oops\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin>:3:2 \(column "x2"\): not a number: "oops"$/);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });
});

describe('bn denormalize --stats', () => {
  it('x = (y − β)/γ·√(running_var + ε) + running_mean', async () => {
    const r = await bnInProcess(['denormalize', '--stats', S], 'x1,x2\n3,0\n-1,\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('x1,x2\n16,15\n4,\n');
  });

  it('inverts normalize --stats (a round trip through real processes)', async () => {
    const input = 'x1,x2,tag\n1.5,-3,a\n1e9,0.001,b\n-7.25,12,c\n';
    const y = await bnProcess(['normalize', '-', '--stats', S], { stdin: input });
    const x = await bnProcess(['denormalize', '-', '--stats', S], { stdin: y.stdout });
    expect(x.code).toBe(0);
    const back = x.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    const orig = input.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    back.forEach((row, i) => {
      expect(row[2]).toBe(orig[i]![2]);
      for (const j of [0, 1]) expectClose(Number(row[j]), Number(orig[i]![j]), 1e-15 * 1e9);
    });
  });

  it('γ = 0 in the file is an error naming the feature', async () => {
    const z = statsFile('z.json', { features: ['a', 'b'], weight: [1, 0], bias: [0, 0], running_mean: [0, 0], running_var: [1, 1] });
    const r = await bnInProcess(['denormalize', '--stats', z], 'a,b\n1,2\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`^bn: ${z}: weight \\(γ\\) is 0 for "b": cannot denormalize`));
    expect(r.stdout).toBe(''); // not even the header: the transform is checked before anything is written
  });

  it('--gamma 0 is bad usage', async () => {
    const r = await bnInProcess(['denormalize', '--stats', S, '--gamma', 'x1=0'], 'x1,x2\n1,2\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --gamma: γ is 0 for "x1": cannot denormalize/);
    expect(r.stdout).toBe('');
  });

  it('needs --stats', async () => {
    const r = await bnInProcess(['denormalize'], 'x1\n1\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: denormalize needs --stats FILE: the stats file the values were normalized with$/);
  });
});

describe('errors', () => {
  it.each([
    [['-b', '2'], /^bn: -b\/--batch-size cannot be used with --stats: inference mode has no batches/],
    [['--save-stats', 'x.json'], /^bn: --save-stats cannot be used with --stats: inference mode trains nothing/],
    [['-m', '0.1'], /^bn: -m\/--momentum cannot be used with --stats/],
    [['--preset', 'keras'], /^bn: --preset cannot be used with --stats/],
  ])('--stats with %j is bad usage, saying why', async (flags, pattern) => {
    const r = await bnInProcess(['normalize', '--stats', S, ...flags], 'x1,x2\n1,2\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, pattern);
  });

  it('features missing from the input: names the missing ones and the numeric columns not in the file', async () => {
    const r = await bnInProcess(['normalize', '--stats', S], 'x1,x3,name\n1,2,a\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLineError(
      r.stderr,
      new RegExp(`^bn: ${S}: features do not match the input <stdin>: missing from the input: "x2"; in the input but not in the stats file: "x3"$`),
    );
  });

  it('by position: a different number of numeric columns', async () => {
    const k = statsFile('k2.json', { moving_mean: [0, 0], moving_variance: [1, 1] });
    const r = await bnInProcess(['normalize', '--stats', k], 'a,b,c\n1,2,3\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /the stats file has 2 features and no "features" to match them by name, so they are matched by position; the input <stdin> has 3: "a", "b", "c"$/);
  });

  it('an invalid stats file: exit 1, every problem in one line, nothing written', async () => {
    const bad = statsFile('bad.json', { format: 'bn-stats', version: 3, weight: [1], bias: [0, 0], running_mean: [0], running_var: [-1] });
    const r = await bnInProcess(['normalize', '--stats', bad], 'x1\n1\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, /^bn: .*bad\.json: invalid stats file: unknown version 3 .*; running_var\[0\] is negative: -1; missing "eps"; .*arrays of different lengths/);
  });

  it('a stats file that is not JSON, or not there', async () => {
    const text = path.join(dir, 'text.json');
    writeFileSync(text, 'x1,x2\n1,2\n');
    const r = await bnInProcess(['normalize', '--stats', text], 'x1\n1\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /invalid stats file: not valid JSON: /);
    const gone = await bnInProcess(['denormalize', '--stats', path.join(dir, 'nope.json')], 'x1\n1\n');
    expect(gone.code).toBe(1);
    expectOneLineError(gone.stderr, /nope\.json: cannot read stats file: no such file$/);
  });

  it('a text cell in a feature column names where', async () => {
    const r = await bnInProcess(['normalize', '--stats', S], 'x1,x2\n1,2\n3,abc\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin>:3:2 \(column "x2"\): not a number: "abc"$/);
  });
});

describe('nothing reaches standard output before the first row', () => {
  it('a bad value in the first row: no header either; in a later row: the header and the rows before it', async () => {
    const first = await bnInProcess(['normalize', '--stats', S], 'x1,x2\nabc,1\n16,15\n');
    expect(first.code).toBe(1);
    expectOneLineError(first.stderr, /^bn: <stdin>:2:1 \(column "x1"\): not a number: "abc"$/);
    expect(first.stdout).toBe('');
    const later = await bnInProcess(['normalize', '--stats', S], 'x1,x2\n16,15\nabc,1\n');
    expect(later.code).toBe(1);
    expect(later.stdout).toBe('x1,x2\n3,0\n');
    for (const to of ['json', 'ndjson', 'tsv']) {
      const r = await bnInProcess(['normalize', '--stats', S, '--to', to], 'x1,x2\nabc,1\n');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
    }
  });

  it('a transform that cannot be made (γ = 0 to undo) over a file that workers read: no header, for -j 1 and -j 2', async () => {
    const file = path.join(dir, 'big.csv');
    let text = 'x1,x2\n';
    for (let i = 0; i < 300_000; i++) text += `${i},${i % 7}\n`;
    writeFileSync(file, text);
    const zero = statsFile('gamma-zero-big.json', { features: ['x1', 'x2'], weight: [1, 0], bias: [0, 0], running_mean: [0, 0], running_var: [1, 1] });
    for (const j of ['1', '2']) {
      const r = await bnInProcess(['denormalize', '-j', j, file, '--stats', zero]);
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, /weight \(γ\) is 0 for "x2": cannot denormalize/);
      expect(r.stdout).toBe('');
    }
  });

  it('a header-only input is still its header, status 0, whether its features match by name or by position', async () => {
    const zero = statsFile('gamma-zero.json', { features: ['x1', 'x2'], weight: [1, 0], bias: [0, 0], running_mean: [0, 0], running_var: [1, 1] });
    const byName = await bnInProcess(['denormalize', '--stats', zero], 'x1,x2\n');
    expect(byName).toMatchObject({ code: 0, stdout: 'x1,x2\n' });
    const keras = statsFile('gamma-zero-keras.json', { gamma: [1, 0], beta: [0, 0], moving_mean: [0, 0], moving_variance: [1, 1] });
    const byPosition = await bnInProcess(['denormalize', '--stats', keras], 'x1,x2\n');
    expect(byPosition).toMatchObject({ code: 0, stdout: 'x1,x2\n' });
  });
});

describe('a live stream: rows written as they come (--line-buffered, and by default to a terminal)', () => {
  /**
   * Runs bn in-process on an input that sends `chunks` one at a time and, after each, waits (up
   * to 3 s) for standard output to grow: what it held when the next chunk was sent, chunk by chunk.
   */
  async function live(args: string[], chunks: string[], tty = false, env: Record<string, string> = {}): Promise<{ code: number; seen: string[]; stderr: string }> {
    const out = Object.assign(new PassThrough(), tty ? { isTTY: true, columns: 80 } : {});
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    let grew: (() => void) | undefined;
    out.on('data', (b: Buffer) => {
      stdout += b.toString();
      grew?.();
    });
    err.on('data', (b: Buffer) => (stderr += b.toString()));
    const seen: string[] = [];
    async function* input() {
      for (const chunk of chunks) {
        const before = stdout;
        yield Buffer.from(chunk);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3000);
          grew = () => {
            if (stdout !== before) {
              clearTimeout(timer);
              setTimeout(resolve, 50); // the rest of this chunk's rows
            }
          };
          grew();
        });
        seen.push(stdout);
      }
    }
    const code = await run(args, { stdin: Readable.from(input()), stdout: out, stderr: err, env });
    return { code, seen, stderr };
  }

  it('CSV: each chunk\'s rows are out before the next chunk is sent', async () => {
    const r = await live(['normalize', '--stats', S, '--line-buffered'], ['x1,x2\n16,15\n', '4,7\n', '10,11\n']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.seen).toEqual(['x1,x2\n3,0\n', 'x1,x2\n3,0\n-1,-2\n', 'x1,x2\n3,0\n-1,-2\n1,-1\n']);
  });

  it('CSV through csv-parse (a delimiter beyond ASCII, and BN_NO_FAST=1): the same, the chunk\'s last record included', async () => {
    const r = await live(['normalize', '--stats', S, '--line-buffered', '-d', '§'], ['x1§x2\n16§15\n', '4§7\r\n', '"10"§11\n']);
    expect(r.stderr).toBe('');
    expect(r.seen).toEqual(['x1§x2\n3§0\n', 'x1§x2\n3§0\n-1§-2\n', 'x1§x2\n3§0\n-1§-2\n1§-1\n']);
    const general = await live(['normalize', '--stats', S, '--line-buffered'], ['x1,x2\n16,15\n', '4,7\n'], false, { BN_NO_FAST: '1' });
    expect(general.seen).toEqual(['x1,x2\n3,0\n', 'x1,x2\n3,0\n-1,-2\n']);
    // A file of lone CRs: once the first chunk has shown them, a chunk that ends with one gives its records.
    const cr = await live(['normalize', '--stats', S, '--line-buffered', '-d', '§'], ['x1§x2\r16§15\r', '4§7\r', '10§11\r']);
    expect(cr.seen.slice(1)).toEqual(['x1§x2\n3§0\n-1§-2\n', 'x1§x2\n3§0\n-1§-2\n1§-1\n']);
    // A quoted field whose line break ends a chunk waits for the rest of its record, as it must.
    const quoted = await live(['normalize', '--stats', S, '--line-buffered', '-d', '§'], ['x1§x2§note\n16§15§"a\n', 'b"\n']);
    expect(quoted.seen.at(-1)).toBe('x1§x2§note\n3§0§"a\nb"\n');
  });

  it('NDJSON, and denormalize: the same', async () => {
    const r = await live(['denormalize', '--stats', S, '--from', 'ndjson', '--line-buffered'], ['{"x1":3,"x2":0}\n', '{"x1":-1,"x2":-2}\n']);
    expect(r.code).toBe(0);
    expect(r.seen).toEqual(['{"x1":16,"x2":15}\n', '{"x1":16,"x2":15}\n{"x1":4,"x2":7}\n']);
  });

  it('features chosen by --select (decided from the first 1,000 rows): after those, each chunk\'s rows as they come, NDJSON and CSV', async () => {
    const many = Array.from({ length: 1005 }, (_, i) => `{"x1":${i},"x2":1}\n`).join('');
    const json = await live(['normalize', '--stats', S, '--from', 'ndjson', '-s', 'x1,x2', '--line-buffered'], [many, '{"x1":16,"x2":15}\n']);
    expect(json.code).toBe(0);
    expect(json.seen[0]!.split('\n')).toHaveLength(1006);
    expect(json.seen[1]!.endsWith('{"x1":3,"x2":0}\n')).toBe(true);
    const rows = Array.from({ length: 1005 }, (_, i) => `${i},1\n`).join('');
    const csv = await live(['normalize', '--stats', S, '-s', 'x1,x2', '--line-buffered'], [`x1,x2\n${rows}`, '16,15\n']);
    expect(csv.code).toBe(0);
    expect(csv.seen[1]!.endsWith('\n3,0\n')).toBe(true);
  });

  it('to a terminal without the flag: the same, as grep writes to one', async () => {
    const r = await live(['normalize', '--stats', S], ['x1,x2\n16,15\n', '4,7\n'], true);
    expect(r.code).toBe(0);
    expect(r.seen).toEqual(['x1,x2\n3,0\n', 'x1,x2\n3,0\n-1,-2\n']);
  });

  it('training mode has no such thing: bad usage', async () => {
    const r = await bnInProcess(['normalize', '--line-buffered'], 'x\n1\n2\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --line-buffered needs --stats FILE/);
  });
});

it('reads the stats file that --save-stats wrote (fixtures/seed.csv)', async () => {
  const file = path.join(dir, 'seed.json');
  await bnProcess(['normalize', 'fixtures/seed.csv', '--gamma', '2', '--beta', '1', '--save-stats', file]);
  const r = await bnInProcess(['normalize', '--stats', file], 'x2,x1\n11,10\n');
  // The row of means maps to β.
  expect(r.stdout).toBe('x2,x1\n1,1\n');
  expect(JSON.parse(readFileSync(file, 'utf8')).running_mean).toEqual([10, 11]);
});
