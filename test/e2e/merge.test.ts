/**
 * `bn merge` end to end (SPEC §5, §7): a file cut into uneven shards with coreutils `split`, each
 * shard's `bn stats --save-stats`, merged, equals `bn stats --save-stats` of the whole to 1e-12
 * relative — on data with a 1e9 offset too. And the README's map-reduce recipes, run as written
 * (with `bn` on the PATH): GNU parallel (skipped when it is not installed) and a local run of the
 * Hadoop Streaming mapper and reducer.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, bnProcess, expectOneLineError, shell } from '../helpers/run-bn.js';
import { seededRandom } from '../helpers/exact.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'bn-merge-'));
const shimDir = path.join(work, 'bin');

/** Run a bash script in `cwd` (errexit, pipefail) with `bn` (this checkout's) first on the PATH. */
const sh = (script: string, cwd: string) => shell(script, { cwd, path: [shimDir], errexit: true });

/** 2,500 rows: an index, N(0,1)-like values, 1e9 + noise, a column with missing cells, a text label. */
function dataset(): string {
  const rand = seededRandom(2026);
  const lines = ['id,a,big,c,label'];
  for (let i = 0; i < 2500; i++) {
    const a = (rand() + rand() + rand() - 1.5) * 2;
    const big = 1e9 + (rand() - 0.5) * 60;
    const c = i % 7 === 0 ? 'NA' : String(5 + 2 * (rand() - 0.5));
    lines.push(`${i},${a},${big},${c},x${i % 3}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Saved {
  features: string[];
  count: number[];
  mean: number[];
  var: number[];
  running_mean: number[];
  running_var: number[];
  num_batches_tracked: number;
}
const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Saved;

/** count exact; mean, var, running_mean, running_var to 1e-12 relative. */
function expectSameStatistics(actual: Saved, whole: Saved): void {
  expect(actual.features).toEqual(whole.features);
  expect(actual.count).toEqual(whole.count);
  for (const key of ['mean', 'var', 'running_mean', 'running_var'] as const) {
    whole[key].forEach((e, f) => {
      const err = Math.abs(actual[key][f]! - e) / Math.abs(e);
      expect(err, `${key}[${f}]`).toBeLessThanOrEqual(1e-12);
    });
  }
}

beforeAll(() => {
  mkdirSync(shimDir);
  writeFileSync(path.join(shimDir, 'bn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(shimDir, 'bn'), 0o755);
  writeFileSync(path.join(work, 'data.csv'), dataset());
});

describe('bn merge of shards made with coreutils split', () => {
  it('equals bn stats --save-stats of the whole to 1e-12 (count exact), with a 1e9 offset column', async () => {
    const r = await sh(
      `
      mkdir -p split && cd split
      tail -n +2 ../data.csv | split -l 1100 - part-          # 1100 + 1100 + 300 rows: uneven
      for part in part-a?; do
        { head -n 1 ../data.csv; cat "$part"; } > "$part.csv"  # every shard gets the header
        bn stats "$part.csv" --save-stats "$part.json" > /dev/null
      done
      bn merge part-*.json -o all.json
      bn stats ../data.csv --save-stats whole.json > /dev/null
      wc -l < part-aa; wc -l < part-ab; wc -l < part-ac`,
      work,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map(Number)).toEqual([1100, 1100, 300]);
    const dir = path.join(work, 'split');
    const merged = load(path.join(dir, 'all.json'));
    const whole = load(path.join(dir, 'whole.json'));
    expect(whole.features).toEqual(['id', 'a', 'big', 'c']);
    expect(whole.count).toEqual([2500, 2500, 2500, 2142]);
    expectSameStatistics(merged, whole);
    expect(merged.num_batches_tracked).toBe(3);
    expect(whole.num_batches_tracked).toBe(1);
  });

  it('reads the shards\' files from standard input too (indented ones, one after another)', async () => {
    const dir = path.join(work, 'split');
    const r = await sh('cat part-aa.json part-ab.json part-ac.json | bn merge', dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd()).not.toContain('\n');
    expect(JSON.parse(r.stdout)).toEqual(load(path.join(dir, 'all.json')));
  });

  it('refuses shards made with different settings, naming what differs', async () => {
    const dir = path.join(work, 'split');
    const r = await sh('bn stats part-ac.csv --gamma 2 --save-stats other.json >/dev/null; bn merge part-aa.json other.json', dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: other\.json: cannot merge with part-aa\.json: weight \(γ\) differs for "id": 2 here, 1 there, "a": 2 here, 1 there/);
  });

  it('refuses a file without count/mean/var, and an invalid one', async () => {
    const k = path.join(work, 'keras.json');
    writeFileSync(k, JSON.stringify({ moving_mean: [0], moving_variance: [1] }));
    const r = await bnProcess(['merge', k]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /keras\.json: not a bn stats file .*merging needs the count, mean and var/);
    const bad = await bnProcess(['merge', '-'], { stdin: '{"format":"bn-stats","version":1}\n' });
    expect(bad.code).toBe(1);
    expectOneLineError(bad.stderr, /^bn: <stdin>\[0\]: invalid stats file: missing "weight"; /);
    const none = await bnProcess(['merge'], { stdin: '\n' });
    expect(none.code).toBe(1);
    expectOneLineError(none.stderr, /^bn: <stdin>: no stats file on standard input$/);
  });
});

const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;

describe('the README\'s map-reduce recipes, as written', () => {
  it.skipIf(!hasParallel)('GNU parallel --pipepart: a file per block, then bn merge', async () => {
    // README: parallel --pipepart -a big.csv --block 100M --header : 'bn stats --save-stats shard-{#}.json >/dev/null'
    const r = await sh(
      `mkdir -p par && cd par && cp ../data.csv big.csv
       parallel --pipepart -a big.csv --block 20k --header : 'bn stats --save-stats shard-{#}.json >/dev/null'
       bn merge shard-*.json -o all.json
       bn stats big.csv --save-stats whole.json > /dev/null`,
      work,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(work, 'par');
    const shards = readdirSync(dir).filter((f) => f.startsWith('shard-'));
    // GNU parallel starts a job with no input now and then (when, depends on timing): its file is
    // an empty shard's, no batch tracked, which merge takes as the identity.
    const tracked = shards.map((f) => load(path.join(dir, f)).num_batches_tracked);
    expect(tracked.filter((n) => n > 0).length).toBeGreaterThan(3);
    const merged = load(path.join(dir, 'all.json'));
    expectSameStatistics(merged, load(path.join(dir, 'whole.json')));
    expect(merged.num_batches_tracked).toBe(tracked.reduce((a, b) => a + b, 0));
  });

  it.skipIf(!hasParallel)('GNU parallel into a pipe: bn stats --save-stats - | bn merge', async () => {
    // README: parallel --pipepart -a big.csv --block 100M --header : bn stats --save-stats - | bn merge -o all.json
    const r = await sh(
      `mkdir -p pipe && cd pipe && cp ../data.csv big.csv
       parallel --pipepart -a big.csv --block 20k --header : bn stats --save-stats - | bn merge -o all.json
       bn stats big.csv --save-stats whole.json > /dev/null`,
      work,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectSameStatistics(load(path.join(work, 'pipe/all.json')), load(path.join(work, 'pipe/whole.json')));
  });

  it('Hadoop Streaming, run locally: splits without the header → mapper.sh → combiner → sort → reducer', async () => {
    // README's mapper.sh, verbatim. Hadoop gives each mapper a split of the file's lines: only the
    // first holds the header; the mapper puts it on every split and drops it where it already is.
    writeFileSync(
      path.join(work, 'mapper.sh'),
      `#!/bin/sh
HEADER='id,a,big,c,label'
{ echo "$HEADER"; grep -v -x -F "$HEADER"; } | bn stats --save-stats -
`,
    );
    chmodSync(path.join(work, 'mapper.sh'), 0o755);
    const r = await sh(
      `mkdir -p hadoop && cd hadoop
       split -n l/4 ../data.csv split-                       # 4 input splits; the header is in the first only
       for s in split-*; do ../mapper.sh < "$s"; done > mapped  # the map tasks: one stats line each
       # Streaming hands combiners and reducers key<TAB> lines, sorted: two combiners, one reducer.
       { head -n 2 mapped | sed 's/$/\t/' | bn merge; tail -n 2 mapped | sed 's/$/\t/' | bn merge; } |
         sed 's/$/\t/' | sort | bn merge - > part-00000
       bn stats ../data.csv --save-stats whole.json > /dev/null`,
      work,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = readFileSync(path.join(work, 'hadoop/part-00000'), 'utf8');
    expect(out.trimEnd()).not.toContain('\n');
    const merged = JSON.parse(out) as Saved;
    expectSameStatistics(merged, load(path.join(work, 'hadoop/whole.json')));
    expect(merged.num_batches_tracked).toBe(4);
  });
});
