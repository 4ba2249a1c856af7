/**
 * SPEC behaviours that the rest of the suite exercised without pinning down (found in a review:
 * a change to any of them would have passed every other test). Expected values by hand from the
 * seed example (x1 = 1, 3, …, 19; x2 = x1 + 1).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SPEC §5: with -b, count/mean/var of the stats file are those of every row, not of the last batch', () => {
  it.each([
    ['stats', ['stats', 'fixtures/seed.csv', '-b', '4', '--save-stats', '-']],
    ['normalize', ['normalize', 'fixtures/seed.csv', '-b', '4', '--save-stats', '-', '-o', path.join(dir, 'out.csv')]],
  ])('%s', async (_name, args) => {
    const r = await bnProcess(args);
    expect(r.code).toBe(0);
    const saved = JSON.parse(r.stdout);
    expect(saved).toMatchObject({ count: [10, 10], mean: [10, 11], var: [33, 33], num_batches_tracked: 3 });
    // Batches [1,3,5,7], [9,11,13,15], [17,19]: means 4, 12, 18; sample variances 20/3, 20/3, 2 (cumulative).
    expect(saved.running_mean[0]).toBeCloseTo(34 / 3, 14);
    expect(saved.running_var[0]).toBeCloseTo((20 / 3 + 20 / 3 + 2) / 3, 14);
  });
});

describe('SPEC §4: bn stats --to ndjson', () => {
  it('one line a feature, then one a batch and feature', async () => {
    const r = await bnProcess(['stats', 'fixtures/seed.csv', '-b', '5', '--to', 'ndjson']);
    expect(r.stdout.split('\n')).toEqual([
      '{"feature":"x1","count":10,"mean":10,"var":33,"var_sample":36.666666666666664,"min":1,"max":19}',
      '{"feature":"x2","count":10,"mean":11,"var":33,"var_sample":36.666666666666664,"min":2,"max":20}',
      '{"batch":0,"rows":5,"feature":"x1","count":5,"mean":5,"var":8}',
      '{"batch":0,"rows":5,"feature":"x2","count":5,"mean":6,"var":8}',
      '{"batch":1,"rows":5,"feature":"x1","count":5,"mean":15,"var":8}',
      '{"batch":1,"rows":5,"feature":"x2","count":5,"mean":16,"var":8}',
      '',
    ]);
  });
});

describe('SPEC §2: reading', () => {
  it.each([
    ['fast path', {}],
    ['general path', { BN_NO_FAST: '1' }],
  ])('-n: CSV columns are named 1, 2, … (in the statistics and in errors), %s', async (_name, env) => {
    const ok = await bnInProcess(['stats', '-n', '--to', 'json'], '1,2\n3,4\n', { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ features: ['1', '2'], rows: 2, mean: [2, 3] });
    const bad = await bnInProcess(['stats', '-n'], '1,2\n3,x\n', { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('bn: <stdin>:2:2 (column "2"): not a number: "x"\n');
  });

  it.each([
    ['JSON', '\n  [{"a":1},{"a":3}]'],
    ['NDJSON', '\n\n{"a":1}\n{"a":3}\n'],
  ])('standard input: %s recognized from its first non-blank byte', async (_name, text) => {
    const r = await bnInProcess(['stats', '--to', 'json'], text);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ features: ['a'], rows: 2, mean: [2], var: [1] });
  });
});

describe('SPEC §4: bn merge -o on an error leaves an existing file untouched', () => {
  it('a stats file of another version', async () => {
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    const merged = path.join(dir, 'merged');
    const out = path.join(merged, 'all.json');
    expect((await bnProcess(['stats', 'fixtures/seed.csv', '--save-stats', good])).code).toBe(0);
    writeFileSync(bad, readFileSync(good, 'utf8').replace('"version": 2', '"version": 3'));
    mkdirSync(merged);
    writeFileSync(out, 'previous\n');
    const r = await bnProcess(['merge', good, bad, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`bn: ${bad}: invalid stats file: unknown version 3 (this bn reads versions 1 and 2)\n`);
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    expect(readdirSync(merged)).toEqual(['all.json']); // no temporary file either
  });
});
