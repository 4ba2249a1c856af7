/**
 * The one data path at its seams, each case a behaviour a review of it found or pinned: what is
 * written before an error, by which reader and how many threads; batch sizes far beyond the
 * input; matching a stats file against a header alone. Old and new outputs were compared by hand
 * for each; here the expected bytes are written out.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bnInProcess, expectOneLineError } from '../helpers/run-bn.js';

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
    expect(r.stdout).toBe('a,b\n-0.9999950000374997,-0.9999950000374997\n0.9999950000374997,0.9999950000374997\n');
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
