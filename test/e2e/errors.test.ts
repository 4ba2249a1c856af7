/**
 * Bad input and bad usage (SPEC §6): one line on stderr starting with `bn: `, naming where and
 * what; exit 1 for data/files, 2 for usage; no stack trace; `stats` prints nothing on failure;
 * `-o` leaves no file behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, expectOneLineError } from '../helpers/run-bn.js';

describe('bad data: exit 1 with file:line:column', () => {
  it.each([
    ['text in a feature column', 'a,b\n1,2\n3,63-67\n', /^bn: <stdin>:3:2 \(column "b"\): not a number: "63-67"$/m],
    ['a number that overflows', 'a,b\n1,2\n1e999,4\n', /^bn: <stdin>:3:1 \(column "a"\): number out of float64 range: "1e999"$/m],
    ['Infinity', 'a,b\n1,2\nInfinity,4\n', /^bn: <stdin>:3:1 \(column "a"\): not a number: "Infinity"$/m],
    ['a ragged row', 'a,b\n1,2\n3,4,5\n', /^bn: <stdin>:3: expected 2 fields, found 3$/m],
    ['another tool\'s marker of a missing value', 'a,b\n1,2\n#N/A,4\n', /^bn: <stdin>:3:1 \(column "a"\): not a number: "#N\/A" \(a marker of a missing value\? name it with --na-values, which replaces the default list\)$/m],
    ['a ragged row of a one-column file', 'a\n1\n3,4\n', /^bn: <stdin>:3: expected 1 field, found 2$/m],
    ['a line of only spaces (an editor\'s last line)', 'a,b\n1,2\n3,4\n   \n', /^bn: <stdin>:4: expected 2 fields, found 1 \(a line of only spaces: not a blank line\)$/m],
    ['an unclosed quote', 'a,b\n1,"2\n3,4\n5,6\n', /^bn: <stdin>:2: malformed CSV: a quoted field opens on this line and is never closed \(a quote inside quotes is written ""\)$/m],
    ['an empty input', '', /^bn: <stdin>: no header and no rows/m],
    ['a header with no rows', 'a,b\n', /^bn: <stdin>: no data rows/m],
    ['duplicate column names', 'a,a\n1,2\n', /^bn: <stdin>:1:2: duplicate column name "a"/m],
    ['no numeric column', 'a,b\nx,y\n', /^bn: <stdin>: no numeric column/m],
    ['Latin-1 text', Buffer.from('a,b\n1,caf\xe9\n', 'latin1'), /^bn: <stdin>: not UTF-8 text: byte 0xe9 at byte offset 9 \(convert it, e\.g\. iconv -f LATIN1 -t UTF-8\)$/m],
    // Brotli has no magic bytes: on standard input it is known by none, and its first bytes are not text.
    ['brotli on standard input', brotliCompressSync('a,b\n1,2\n3,4\n'), /^bn: <stdin>: not UTF-8 text: byte 0x8b at byte offset 0 \(compressed\? .*brotli only by a \.br name: brotli -dc FILE \| bn …; text of another encoding: iconv -f LATIN1 -t UTF-8\)$/m],
  ])('%s', async (_name, input, pattern) => {
    for (const command of ['stats', 'normalize']) {
      const r = await bnInProcess([command], input);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expectOneLineError(r.stderr, pattern);
    }
  });

  it('an option value refused with a line break or a CR in it is shown escaped, on one line', async () => {
    for (const [value, shown] of [['\n', '\\n'], ['\r', '\\r']]) {
      const r = await bnInProcess(['stats', '-d', value!], 'a,b\n1,2\n');
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/[\r]|\n./);
      expect(r.stderr).toContain(`argument '${shown}' is invalid`);
    }
  });

  it('a --select that picks no column is a mistake in the option (status 2); one whose columns hold no number, in the data (1)', async () => {
    const csv = 'id,price,Qty\na,1,2\nb,3,4\n';
    for (const command of ['stats', 'normalize']) {
      const regex = await bnInProcess([command, '-s', '/B/'], csv);
      expect(regex.code).toBe(2);
      expectOneLineError(regex.stderr, /^bn: <stdin>: --select: no column matches \/B\/ \(3 columns: "id", "price", "Qty"\)$/);
      const none = await bnInProcess([command, '-s', '!1-3'], csv);
      expect(none.code).toBe(2);
      expectOneLineError(none.stderr, /^bn: <stdin>: --select picks no column \(3 columns: /);
      const text = await bnInProcess([command, '-s', '/^i/'], csv);
      expect(text.code).toBe(1);
      expectOneLineError(text.stderr, /^bn: <stdin>: no column --select picks has a number for its first value \(in the first batch, with -b\): 1 column: "id"$/);
      // Leaving out what is not there is no mistake.
      expect((await bnInProcess([command, '-s', '!/^Unnamed/'], csv)).code).toBe(0);
    }
    // In inference too (it was "missing from the input's selection", status 1), rows or none.
    const stats = await bnInProcess(['stats', '--save-stats', '-'], csv);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-picks-'));
    const file = path.join(dir, 's.json');
    writeFileSync(file, stats.stdout);
    for (const input of [csv, 'id,price,Qty\n']) {
      const none = await bnInProcess(['normalize', '--stats', file, '-s', '!*'], input);
      expect(none.code).toBe(2);
      expectOneLineError(none.stderr, /^bn: <stdin>: --select picks no column \(3 columns: /);
    }
  });

  it('names the line where a quoted multi-line record starts', async () => {
    const r = await bnInProcess(['stats'], 'a,b\n1,"x\ny"\n2,zz\n');
    // Column b is text ("x\ny" first), so only a is a feature: fine. Now a bad value after it:
    expect(r.code).toBe(0);
    const bad = await bnInProcess(['stats'], 'a,b\n1,"x\ny"\nq,zz\n');
    expectOneLineError(bad.stderr, /^bn: <stdin>:4:1 \(column "a"\): not a number: "q"$/);
  });

  it('a missing file', async () => {
    const r = await bnProcess(['stats', 'no/such/file.csv']);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: no\/such\/file.csv: cannot read: no such file$/);
  });

  it('a directory', async () => {
    const r = await bnProcess(['normalize', os.tmpdir()]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /cannot read: is a directory$/);
  });

  it('--last-batch error: fewer than 2 values of a feature in the last batch names the batch, column and a batch size that works', async () => {
    const r = await bnInProcess(['normalize', '-b', '2', '--last-batch', 'error'], 'a,b\n1,2\n3,4\n5,6\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bn: <stdin> \(column "a"\): batch 1 \(1 row\) has 1 value of this feature; training mode needs at least 2\. Try --batch-size 3/);
  });

  it('a batch too small that is not the last cannot be folded: an error whatever --last-batch says', async () => {
    const r = await bnInProcess(['normalize', '-b', '2'], 'a,b\n1,2\n,4\n5,6\n7,8\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bn: <stdin> \(column "a"\): batch 0 \(2 rows\) has 1 value of this feature; training mode needs at least 2/);
    expect(r.stdout).toBe('');
  });

  it('a single row cannot be normalized in training mode', async () => {
    const r = await bnInProcess(['normalize'], 'a\n5\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/batch 0 \(1 row\) has 1 value/);
  });

  it('a column of missing values only has 0 values', async () => {
    const r = await bnInProcess(['normalize', '-b', '2'], 'a,b\n1,\n3,\n');
    // b has no value at all in the first batch: it is not a feature, and passes through.
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^-0\.99\d*,$/);
  });
});

describe('bad usage: exit 2', () => {
  it.each([
    [['normalize', '--epsilon', 'abc'], /--epsilon <e>' argument 'abc' is invalid/],
    [['normalize', '--epsilon', '-1'], /--epsilon <e>' argument '-1' is invalid/],
    [['normalize', '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/],
    [['normalize', '-b', '2.5'], /--batch-size <n>' argument '2.5' is invalid/],
    [['normalize', '--precision', '0'], /--precision <n>' argument '0' is invalid/],
    [['normalize', '--gamma', 'abc'], /--gamma: not a finite number: "abc"$/],
    [['normalize', '--gamma', '1,2,3'], /--gamma: 3 values for 2 features \(x1, x2\)/],
    [['normalize', '--beta', 'nope=1'], /--beta: no feature named "nope" \(features: x1, x2\)/],
    [['stats', '--to', 'xml'], /argument 'xml' is invalid/],
    [['stats', '--bogus'], /^bn: unknown option '--bogus'/],
    [['normalise'], /^bn: unknown command 'normalise' \(Did you mean normalize\?\)$/],
    [['stats', '-d', 'ab'], /--delimiter <char>' argument 'ab' is invalid/],
    // An empty file name: said as such (it used to be "cannot write: no such directory", no name).
    [['normalize', '-o', ''], /--output <file>' argument '' is invalid\. expected a file name, not an empty one\.$/],
    [['stats', '--save-stats', ''], /--save-stats <file>' argument '' is invalid\. expected a file name/],
    [['normalize', '--stats', ''], /--stats <file>' argument '' is invalid\. expected a file name/],
    [['merge', '-o', '', 'a.json'], /--output <file>' argument '' is invalid\. expected a file name/],
  ])('%j', async (args, pattern) => {
    const r = await bnInProcess(args, 'x1,x2\n1,2\n3,4\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, pattern);
  });
});

describe('-o FILE is written atomically', () => {
  it('leaves an existing file untouched and no temporary file when the input is bad', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-test-'));
    const target = path.join(dir, 'out.csv');
    writeFileSync(target, 'previous\n');
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i * 2}`).join('\n');
    const r = await bnProcess(['normalize', '-b', '100', '-o', target, '-'], { stdin: `a,b\n${rows}\n1,oops\n` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:5002:2 \(column "b"\): not a number: "oops"/);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('creates the file on success', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-test-'));
    const target = path.join(dir, 'out.csv');
    const r = await bnProcess(['normalize', '-o', target, '-'], { stdin: 'a\n1\n3\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(target, 'utf8')).toBe('a\n-0.9999950000374996\n0.9999950000374996\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('an unwritable directory is a clear error', async () => {
    const r = await bnProcess(['normalize', '-o', '/no/such/dir/out.csv', '-'], { stdin: 'a\n1\n3\n' });
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: \/no\/such\/dir\/out.csv: cannot write: no such directory$/);
    expect(existsSync('/no/such/dir')).toBe(false);
  });

  it('a directory that exists but takes no new file (/proc) is said as such, not as "no such directory"', async () => {
    for (const target of ['/proc/version', '/proc/new.csv']) {
      const r = await bnProcess(['normalize', '-o', target, '-'], { stdin: 'a\n1\n3\n' });
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, new RegExp(`^bn: ${target}: cannot write: /proc takes no new file \\(the temporary file it is written to first\\); a special file system\\?$`));
    }
  });
});

describe('stack traces', () => {
  it('appear only with BN_DEBUG=1', async () => {
    const quiet = await bnProcess(['stats', '-'], { stdin: 'a\nx1\n1\nzz\n' });
    expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(1);
    const debug = await bnProcess(['stats', '-'], { stdin: 'a\n1\nzz\n', env: { BN_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/^bn: <stdin>:3:1 \(column "a"\): not a number: "zz"\nBnError: /);
  });
});
