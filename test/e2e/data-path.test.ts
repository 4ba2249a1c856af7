/**
 * The one data path at its seams, each case a behaviour a review of it found or pinned: what is
 * written before an error, by which reader and how many threads; batch sizes far beyond the
 * input; matching a stats file against a header alone. Old and new outputs were compared by hand
 * for each; here the expected bytes are written out.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, expectOneLineError, shell } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-data-path-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('rows before an error are written first', () => {
  it('-b to CSV from NDJSON: the first batch, then the key that came late (not a later batch\'s error)', async () => {
    const input = '{"a":1,"b":2}\n{"a":3,"b":4}\n{"a":5,"b":6,"c":7}\n{"a":7,"b":8,"c":9}\n{"a":1,"b":1,"c":1}\n';
    const r = await bnInProcess(['normalize', '-b', '2', '--from', 'ndjson', '--to', 'csv'], input);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('a,b\n-0.9999950000374996,-0.9999950000374996\n0.9999950000374996,0.9999950000374996\n');
    expectOneLineError(r.stderr, /^bn: <stdin>:3 \(column "c"\): this key first appears after the CSV header was written/);
  });

  it('inference with -j 2: the rows of a worker\'s block before a bad value, as with -j 1', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 3000; i++) lines.push(i === 2500 ? 'abc,1' : `${i},${i % 7}`);
    const data = file('bad-late.csv', `${lines.join('\n')}\n`);
    const stats = file('pos.json', JSON.stringify({ running_mean: [0, 0], running_var: [1, 1] }));
    const outs = [];
    for (const jobs of ['1', '2']) {
      const r = await bnInProcess(['normalize', '--stats', stats, '-j', jobs, data], '', { env: { BN_JOBS_BLOCK: '4096' } });
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, /^bn: .*bad-late\.csv:2502:1 \(column "a"\): not a number: "abc"$/);
      outs.push(r.stdout);
    }
    expect(outs[0]!.split('\n')).toHaveLength(2502); // the header, 2500 rows, and the end of the last line
    expect(outs[1]).toBe(outs[0]);
  });

  it('a ragged row while the features are still being decided: the reader\'s error, not a mismatch of features', async () => {
    const stats = file('pos2.json', JSON.stringify({ running_mean: [0, 0], running_var: [1, 1] }));
    const r = await bnInProcess(['normalize', '--stats', stats], 'a,b,c\n1,,x\n3,4\n5,6,z\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin>:3: expected 3 fields, found 2$/);
  });
});

describe('batch sizes beyond the input', () => {
  it('-b 2000000000 on four rows: one batch, at once, the bytes of a whole-input normalize', async () => {
    const input = 'x,y\n1,2\n3,5\n4,4\n8,1\n';
    const whole = await bnInProcess(['normalize'], input);
    for (const args of [['-b', '2000000000'], ['-b', '2000000000', '--to', 'csv', '--from', 'csv']]) {
      const r = await bnInProcess(['normalize', ...args], input);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(whole.stdout);
    }
  });
});

describe('a header and no rows', () => {
  it('with --select, the stats file is still checked against the selected columns', async () => {
    const stats = file('ab.json', JSON.stringify({ features: ['a', 'b'], running_mean: [0, 0], running_var: [1, 1] }));
    const r = await bnInProcess(['normalize', '--stats', stats, '--select', 'a'], 'a,b,c\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /features do not match the input <stdin>: missing from the input's selection: "b"/);
  });
});

describe('small reliability fixes', () => {
  it('inference with running_var + ε = 0: an error naming the feature (the file\'s ε, or -e 0), never a column of β', async () => {
    const flat = file('flat.json', JSON.stringify({ features: ['x'], running_mean: [1], running_var: [0], eps: 0 }));
    const r = await bnInProcess(['normalize', '--stats', flat], 'x\n3\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: .*flat\.json: running_var \+ ε is 0 for "x": nothing to divide by/);
    expect(r.stdout).toBe(''); // the header is not written before the error
    const zero = file('zero-var.json', JSON.stringify({ features: ['x'], running_mean: [1], running_var: [0] }));
    const flag = await bnInProcess(['normalize', '--stats', zero, '-e', '0'], 'x\n3\n');
    expect(flag.code).toBe(2);
    expectOneLineError(flag.stderr, /^bn: --epsilon: running_var \+ ε is 0 for "x"/);
    // With ε > 0 (the file's default), a zero variance is fine: (3 − 1)/√1e-5.
    expect((await bnInProcess(['normalize', '--stats', zero], 'x\n3\n')).stdout).toBe(`x\n${2 / Math.sqrt(1e-5)}\n`);
  });

  it('a stats file that starts with a UTF-8 byte order mark is read', async () => {
    const bom = path.join(dir, 'bom.json');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ running_mean: [1], running_var: [4] }))]));
    const r = await bnInProcess(['normalize', '--stats', bom], 'x\n3\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`x\n${2 / Math.sqrt(4 + 1e-5)}\n`);
  });

  it('TMPDIR that does not exist: standard input cannot be spooled, and the message says where', async () => {
    const r = await bnProcess(['normalize'], { stdin: 'x\n1\n3\n', env: { TMPDIR: path.join(dir, 'no-such-dir') } });
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdin>: cannot spool standard input to TMPDIR=.*no-such-dir: no such file$/);
  });
});

describe('an input named as a file that is not a regular one', () => {
  it.each([['stats', '--to', 'csv'], ['normalize'], ['normalize', '--to', 'ndjson']])('a FIFO: bn %s reads it as a stream (a two-pass normalize spools it), the same as from standard input', async (...args) => {
    const fifo = path.join(dir, `in-${Math.random().toString(36).slice(2)}.csv`);
    const text = 'x,y\n1,2\n3,5\n4,4\n';
    expect((await shell(`mkfifo '${fifo}'`)).code).toBe(0);
    const [viaFifo, viaStdin] = await Promise.all([
      shell(`printf '${text.replace(/\n/g, '\\n')}' > '${fifo}' & $BN ${args.join(' ')} '${fifo}'`),
      bnProcess([...args, '-'], { stdin: text }),
    ]);
    expect(viaFifo.stderr).toBe('');
    expect(viaFifo.code).toBe(0);
    expect(viaFifo.stdout).toBe(viaStdin.stdout);
  });

  // No name to say the format: its first bytes are read to sniff it, and cannot be read again
  // from the pipe. Before, bn opened it a second time: "the input is empty", a ragged row of a
  // line cut in two, or (a FIFO whose writer was gone) a wait for ever that SIGTERM did not end.
  it.each([['stats', '--to', 'csv'], ['normalize'], ['normalize', '--to', 'ndjson']])('a FIFO with no extension: bn %s sniffs it and reads on from there, the same as from standard input', async (...args) => {
    const fifo = path.join(dir, `in-${Math.random().toString(36).slice(2)}`);
    const text = `x,y\n${'1,2\n3,5\n4,4\n'.repeat(8000)}`; // more than the bytes sniffed
    writeFileSync(path.join(dir, 'fifo-text.csv'), text);
    expect((await shell(`mkfifo '${fifo}'`)).code).toBe(0);
    const [viaFifo, viaStdin] = await Promise.all([
      shell(`cat '${path.join(dir, 'fifo-text.csv')}' > '${fifo}' & timeout 20 $BN ${args.join(' ')} '${fifo}'`),
      bnProcess([...args, '-'], { stdin: text }),
    ]);
    expect(viaFifo.stderr).toBe('');
    expect(viaFifo.code).toBe(0);
    expect(viaFifo.stdout).toBe(viaStdin.stdout);
  });

  it('a FIFO named as a gzip file: a whole-input normalize spools it compressed and reads it decompressed, twice', async () => {
    const fifo = path.join(dir, `in-${Math.random().toString(36).slice(2)}.csv.gz`);
    const text = `x,y\n${'1,2\n3,5\n4,4\n'.repeat(1000)}`;
    const plain = file('gz-text.csv', text);
    expect((await shell(`mkfifo '${fifo}'`)).code).toBe(0);
    const [viaFifo, direct] = await Promise.all([shell(`gzip -c '${plain}' > '${fifo}' & timeout 20 $BN normalize '${fifo}'`), bnProcess(['normalize', plain])]);
    expect(viaFifo.stderr).toBe('');
    expect(viaFifo.code).toBe(0);
    expect(viaFifo.stdout).toBe(direct.stdout);
  });

  it.each([['plain', 'cat'], ['gzip', 'gzip -c']])('/dev/stdin from a pipe (%s): the same statistics as the file', async (_kind, command) => {
    const data = file('piped.csv', `x,y\n${'1,2\n3,5\n4,7\n'.repeat(9000)}`);
    const [viaPipe, direct] = await Promise.all([shell(`${command} '${data}' | timeout 20 $BN stats /dev/stdin`), bnProcess(["stats", data])]);
    expect(viaPipe.stderr).toBe('');
    expect(viaPipe.code).toBe(0);
    expect(viaPipe.stdout).toBe(direct.stdout);
  });
});

describe('messages and exits at the edges', () => {
  // Devices made with mknod in the test's own directory (root only): were -o still renamed over
  // them, a test of /dev/null itself would replace the machine's.
  it.skipIf(process.getuid?.() !== 0)('-o a full device: status 1, one line "no space left on device", and the device is still one', async () => {
    const device = path.join(dir, 'full-device');
    expect((await shell(`mknod -m 666 '${device}' c 1 7`)).code).toBe(0);
    const r = await shell(`printf 'x,y\\n1,2\\n3,5\\n' | $BN normalize -o '${device}'`);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: .*full-device: cannot write: no space left on device$/);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  // A name whose suffix says a compression or a binary format, linked to a full device: the
  // compressor or the format's writer stands between bn and the failing file. Before, a small input
  // said "internal error: ENOSPC", a larger one waited for a write that never ended (status 13),
  // and Arrow said "AsyncQueue is closed".
  it.skipIf(process.getuid?.() !== 0).each(['out.csv.gz', 'out.arrow', 'out.parquet'])('-o %s on a full device: status 1 and one line "no space left on device"', async (name) => {
    const device = path.join(dir, `full-for-${name}`);
    expect((await shell(`mknod -m 666 '${device}' c 1 7 && ln -s '${device}' '${path.join(dir, name)}'`)).code).toBe(0);
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${(i * 7) % 13}`).join('\n');
    const input = file(`rows-for-${name}.csv`, `x,y\n${rows}\n`);
    const r = await shell(`timeout 30 $BN normalize '${input}' -o '${path.join(dir, name)}'`);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`^bn: .*${name.replace('.', '\\.')}: cannot write: no space left on device$`));
  });

  it.skipIf(process.platform !== 'linux')('-o /dev/stdout: into a pipe, and appended to the file >> opened (not renamed over it)', async () => {
    const piped = await shell(`printf 'x,y\\n1,2\\n3,5\\n' | $BN normalize -o /dev/stdout | cat`);
    const plain = await bnProcess(['normalize'], { stdin: 'x,y\n1,2\n3,5\n' });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(plain.stdout);
    const log = file('appended.csv', 'kept\n');
    const appended = await shell(`printf 'x,y\\n1,2\\n3,5\\n' | $BN normalize -o /dev/stdout >> '${log}'`);
    expect(appended.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(`kept\n${plain.stdout}`);
  });

  it.skipIf(process.getuid?.() !== 0)('-o and --save-stats to a null device: status 0, and it is still a device', async () => {
    const device = path.join(dir, 'null-device');
    expect((await shell(`mknod -m 666 '${device}' c 1 3`)).code).toBe(0);
    const r = await shell(`printf 'x,y\\n1,2\\n3,5\\n' | $BN normalize -o '${device}' --save-stats '${device}'`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it.each([['--help'], ['--version'], ['stats', '--help']])('bn %s > /dev/full: a write that fails is status 1 and one line', async (...args) => {
    const r = await shell(`$BN ${args.join(' ')} > /dev/full`);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: <stdout>: cannot write: no space left on device$/);
  });

  it('a stats file of 5,000 features not in the input: the first ten named, and how many more', async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `f${i}`);
    const stats = file('many.json', JSON.stringify({ features: names, running_mean: names.map(() => 0), running_var: names.map(() => 1) }));
    const r = await bnInProcess(['normalize', '--stats', stats], 'x\n1\n');
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /missing from the input: "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9" and 4990 more; in the input but not in the stats file: "x"$/);
    expect(r.stderr.length).toBeLessThan(400);
  });
});

describe('the format registry', () => {
  it('--to jsonl is NDJSON, as --from jsonl is (SPEC §2: jsonl is an alias)', async () => {
    const input = 'x,y\n1,2\n3,5\n';
    const ndjson = await bnInProcess(['normalize', '--to', 'ndjson'], input);
    const jsonl = await bnInProcess(['normalize', '--to', 'jsonl'], input);
    expect(jsonl.stderr).toBe('');
    expect(jsonl.stdout).toBe(ndjson.stdout);
    expect(jsonl.stdout.split('\n')[0]).toMatch(/^\{"x":-?\d/);
  });
});
