/**
 * Hostile inputs that once crashed bn, made it hang or grow without bound, or gave an unclear
 * message: each is now one `bn: ` line and status 1, within bounds of time and memory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bnProcess, shell } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bn-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** One line on standard error, starting with `bn: `, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bn: /);
  return lines[0]!;
}

describe('invalid UTF-8 on the general CSV reader', () => {
  it.each([
    ['a delimiter beyond ASCII', ['-d', '§'], Buffer.from([...Buffer.from('x§y\n1§2\n3§'), 0xff, 0x0a]), {}],
    ['BN_NO_FAST=1', [], Buffer.from([...Buffer.from('x,y\n1,2\n3,'), 0xff, 0x0a]), { BN_NO_FAST: '1' }],
  ])('%s: one line naming the byte, status 1', async (_name, flags, bytes, env) => {
    const file = write('latin1.csv', bytes);
    const r = await bnProcess(['stats', ...flags, file], { env });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`bn: ${file}: not UTF-8 text: byte 0xff at byte offset ${bytes.length - 2} (convert it, e.g. iconv -f LATIN1 -t UTF-8)`);
    expect(r.stdout).toBe('');
  });
});

describe('UTF-16 without a byte order mark (valid UTF-8: a NUL by each ASCII character)', () => {
  it.each([
    ['UTF-16LE', 'utf16le', 'le.csv'],
    ['UTF-16BE', 'utf16be', 'be.ndjson'],
  ] as const)('%s: named, with the iconv that converts it, from every reader', async (order, _encoding, name) => {
    const text = name.endsWith('.csv') ? 'x,y\n1,2\n3,4\n' : '{"x":1}\n{"x":2}\n';
    const units = Buffer.from(text, 'utf16le');
    // utf16le, byte-swapped for BE.
    const bytes = order === 'UTF-16LE' ? units : Buffer.from(units).swap16();
    const file = write(name, bytes);
    const want = `not UTF-8 text: UTF-16 without a byte order mark, it seems (every other byte 0): convert with iconv -f ${order} -t UTF-8`;
    for (const [args, env] of [[['-j', '1'], {}], [['-j', '2'], {}], [[], { BN_NO_FAST: '1' }]] as const) {
      const r = await bnProcess(['stats', ...args, file], { env });
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(`bn: ${file}: ${want}`);
    }
    const piped = await bnProcess(['stats', '--from', name.endsWith('.csv') ? 'csv' : 'ndjson'], { stdin: bytes });
    expect(oneLine(piped.stderr)).toBe(`bn: <stdin>: ${want}`);
  });
});

describe('error messages show the character that is there', () => {
  it.each([
    ['a form feed in JSON', 'ff.json', Buffer.from('[\f1]'), 'bn: FILE[0]: invalid JSON at byte offset 1: unexpected "\\f"'],
    ['a NUL in an NDJSON line', 'nul.ndjson', Buffer.from('{"x":1}\n\0\n'), 'bn: FILE:2:1: invalid JSON: unexpected "\\u0000"'],
    ['é in JSON, not its first byte as Latin-1', 'e.json', Buffer.from('[é]'), 'bn: FILE[0]: invalid JSON at byte offset 1: unexpected "é"'],
    ['é in an NDJSON line', 'e.ndjson', Buffer.from('{"x":1}\né\n'), 'bn: FILE:2:1: invalid JSON: unexpected "é"'],
    ['DEL and a line separator in a CSV cell', 'c.csv', Buffer.from('x\n1\na\x7f\u2028\n'), 'bn: FILE:3:1 (column "x"): not a number: "a\\u007f\\u2028"'],
    // Characters that show as nothing or as a space: a BOM from `cat a.csv b.csv`, a no-break space, a zero-width space.
    ['a BOM in the middle of a file', 'bom.csv', Buffer.from('x\n1\n\ufeff3\n'), 'bn: FILE:3:1 (column "x"): not a number: "\\ufeff3"'],
    ['a no-break space and a zero-width space', 'nb.csv', Buffer.from('x\n1\n\u00a05\u200b\n'), 'bn: FILE:3:1 (column "x"): not a number: "\\u00a05\\u200b"'],
    // The zero-width non-joiner is a letter of Persian spelling (and the joiner of emoji): as it is.
    ['a Persian name and value with a zero-width non-joiner', 'fa.csv', Buffer.from('نام\u200cخانوادگی\n1\nمی\u200cخواهم\n'), 'bn: FILE:3:1 (column "نام\u200cخانوادگی"): not a number: "می\u200cخواهم"'],
  ])('%s', async (_name, name, bytes, message) => {
    const file = write(name, bytes);
    const r = await bnProcess(['stats', file]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(message.replace('FILE', file));
  });
});

describe('the longest line or record', () => {
  const tooLong = 'a record longer than 64 MiB, the most bn reads (a line without an end, or a quote never closed?)';

  it.each([
    ['the byte scanner, -j 1', ['-j', '1'], {}],
    ['the byte scanner, -j 2', ['-j', '2'], {}],
    ['the general reader', [], { BN_NO_FAST: '1' }],
  ])('a CSV line of 65 MiB: %s stops at 64 MiB with one line naming the line', async (_name, flags, env) => {
    const file = write('long.csv', `x,y\n1,2\n3,${'7'.repeat(65 << 20)}\n`);
    const r = await bnProcess(['stats', ...flags, file], { env, node: ['--max-old-space-size=1024'] });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`bn: ${file}:3: malformed CSV: ${tooLong}`);
  }, 60_000);

  it('-j 2, the long line after blocks the workers took: the main thread reads on from there and stops at 64 MiB', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},${i % 7}`).join('\n');
    const file = write('late-long.csv', `x,y\n${rows}\n1,${'7'.repeat(65 << 20)}\n5,6\n`);
    const r = await bnProcess(['stats', '-j', '2', file], { env: { BN_JOBS_BLOCK: '16384' }, node: ['--max-old-space-size=1024'] });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`bn: ${file}:20002: malformed CSV: ${tooLong}`);
  }, 60_000);

  it.each([
    ['csv', `bn: /dev/zero:1: malformed CSV: ${tooLong}`],
    ['ndjson', 'bn: /dev/zero:1: a line longer than 64 MiB, the most bn reads (a file without line breaks?)'],
  ])('/dev/zero read as %s: an error at 64 MiB, in a bounded heap, not memory without end', async (format, message) => {
    const r = await bnProcess(['stats', '/dev/zero', '--from', format], { node: ['--max-old-space-size=512'] });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(message);
  }, 60_000);
});

describe('the largest stats file', () => {
  it.each([
    ['bn merge /dev/zero', '$BN merge /dev/zero', '/dev/zero'],
    ['normalize --stats /dev/zero', 'printf "x\\n1\\n2\\n" | $BN normalize --stats /dev/zero', '/dev/zero'],
    ['bn merge of endless standard input', '$BN merge < /dev/zero', '<stdin>'],
  ])('%s: an error past 256 MiB, not memory without end', async (_name, script, label) => {
    const r = await shell(script);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`bn: ${label}: larger than 256 MiB, the most bn reads of stats files: is it one?`);
  }, 30_000);
});

describe('memory that follows the data', () => {
  /** bn's peak resident memory, in MB, as its own process counts it when it exits. */
  const PEAK = ['--import', "data:text/javascript,process.on('exit',()=>process.stderr.write('peak '+process.resourceUsage().maxRSS+'\\n'))"];
  const peakOf = (stderr: string) => Number(/^peak (\d+)$/m.exec(stderr)![1]) / 1024;

  it.each([
    ['stats', ['stats', '--to', 'csv']],
    ['stats -b 2', ['stats', '-b', '2', '--to', 'csv']],
    ['normalize', ['normalize']],
  ])('100,000 CSV columns × 3 rows: %s in well under 1 GB (it took 3.3 GB: 4096 rows of values a column)', async (_name, args) => {
    const names = Array.from({ length: 100_000 }, (_, j) => `c${j}`);
    const row = (k: number) => names.map((_, j) => j * k).join(',');
    const file = write('wide.csv', `${names.join(',')}\n${row(1)}\n${row(2)}\n${row(3)}\n`);
    const r = await bnProcess([...args, file], { node: PEAK });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(3);
    expect(peakOf(r.stderr)).toBeLessThan(1000);
  }, 60_000);
});

describe('time linear in the number of features', () => {
  // Matching names in a loop made bn merge and normalize --stats quadratic: half a minute and
  // more at 120,000 features. Four times the features must take well under 16 times as long (a
  // ratio of the same machine's times, which a loaded machine slows alike: linear gives ≈ 4).
  it('bn merge and normalize --stats of 80,000 features take less than 9× the time of 20,000', async () => {
    const elapsed = async (width: number): Promise<number[]> => {
      const names = Array.from({ length: width }, (_, j) => `f${j}`);
      const data = write(`features-${width}.csv`, `${names.join(',')}\n${names.map((_, j) => j).join(',')}\n${names.map((_, j) => 2 * j + 1).join(',')}\n`);
      const stats = path.join(dir, `features-${width}.json`);
      expect((await bnProcess(['stats', data, '--save-stats', stats, '--to', 'csv'])).code).toBe(0);
      const times: number[] = [];
      for (const args of [['merge', stats, stats, '-o', path.join(dir, `merged-${width}.json`)], ['normalize', '--stats', stats, data]]) {
        const started = performance.now();
        const r = await bnProcess(args);
        expect(r).toMatchObject({ code: 0, stderr: '' });
        times.push(performance.now() - started);
      }
      return times;
    };
    const small = await elapsed(20_000);
    const large = await elapsed(80_000);
    large.forEach((t, k) => expect(t / small[k]!).toBeLessThan(9));
  }, 120_000);
});
