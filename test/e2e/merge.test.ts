/**
 * `bn merge` end to end (SPEC §5, §7): a file cut into uneven shards with coreutils `split`, each
 * shard's `bn stats --save-stats`, merged, equals `bn stats --save-stats` of the whole bit for
 * bit — on data with a 1e9 offset too. And the README's map-reduce recipes, run as written (with
 * `bn` on the PATH): GNU parallel (skipped when it is not installed) and a local run of the
 * Hadoop Streaming mapper and reducer, for the statistics and for normalize (whose shards,
 * concatenated, are the bytes of the whole-file normalize).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, bnProcess, expectOneLineError, shell } from '../helpers/run-bn.js';
import { bigCsv } from '../helpers/big-csv.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'bn-merge-'));
const shimDir = path.join(work, 'bin');

/** Run a bash script in `cwd` (errexit, pipefail) with `bn` (this checkout's) first on the PATH. */
const sh = (script: string, cwd: string) => shell(script, { cwd, path: [shimDir], errexit: true });

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

/** count, mean, var, running_mean, running_var: the same bits (the statistics are correctly rounded from exact sums). */
function expectSameStatistics(actual: Saved, whole: Saved): void {
  expect(actual.features).toEqual(whole.features);
  for (const key of ['count', 'mean', 'var', 'running_mean', 'running_var'] as const) expect(actual[key], key).toEqual(whole[key]);
}

beforeAll(() => {
  mkdirSync(shimDir);
  writeFileSync(path.join(shimDir, 'bn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(shimDir, 'bn'), 0o755);
  writeFileSync(path.join(work, 'data.csv'), bigCsv(2500, 2026));
});

describe('bn merge of shards made with coreutils split', () => {
  it('equals bn stats --save-stats of the whole bit for bit, with a 1e9 offset column', async () => {
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

describe('a sparse column empty in one shard', () => {
  it('is a feature of count 0 in that shard\'s file when --select names it, and the merge is the whole\'s bits', async () => {
    const dir = mkdtempSync(path.join(work, 'sparse-'));
    // c has numbers in rows 1–300 only: the second shard has none of it.
    const rows = Array.from({ length: 600 }, (_, i) => `${i / 7},${Math.sin(i) * 1e9},${i < 300 ? String(i * 0.3) : ''}`);
    writeFileSync(path.join(dir, 'all.csv'), `a,b,c\n${rows.join('\n')}\n`);
    writeFileSync(path.join(dir, 'p1.csv'), `a,b,c\n${rows.slice(0, 300).join('\n')}\n`);
    writeFileSync(path.join(dir, 'p2.csv'), `a,b,c\n${rows.slice(300).join('\n')}\n`);
    const r = await sh('for p in p1 p2 all; do bn stats $p.csv -s a,b,c --save-stats $p.json >/dev/null; done; bn merge p1.json p2.json -o merged.json', dir);
    expect(r.stderr).toBe('');
    const p2 = JSON.parse(readFileSync(path.join(dir, 'p2.json'), 'utf8')) as Saved;
    expect(p2.count).toEqual([300, 300, 0]);
    expect(p2.mean[2]).toBeNull();
    const merged = JSON.parse(readFileSync(path.join(dir, 'merged.json'), 'utf8')) as Saved;
    const whole = JSON.parse(readFileSync(path.join(dir, 'all.json'), 'utf8')) as Saved;
    expect({ ...merged, num_batches_tracked: 1 }).toEqual(whole);
    // Without --save-stats (a report of this input alone), selecting a column with no number is still an error (SPEC §2).
    const report = await bnProcess(['stats', path.join(dir, 'p2.csv'), '-s', 'a,b,c']);
    expect(report.code).toBe(1);
    expectOneLineError(report.stderr, /\(column "c"\): selected column has no number/);
    // The shard's own file is not a model: its running statistics are null until merged.
    const used = await bnProcess(['normalize', path.join(dir, 'p2.csv'), '--stats', path.join(dir, 'p2.json')]);
    expect(used.code).toBe(1);
    expectOneLineError(used.stderr, /: the file holds no value of "c" \(a shard in which --select named an empty column\): bn merge it with the other shards' files first$/);
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

  it.skipIf(!hasParallel)('GNU parallel normalize: stats per block, merge, then --stats --exact per block, in order: the bytes of bn normalize', async () => {
    // README: the lines of "Normalize at scale".
    const r = await sh(
      `mkdir -p norm && cd norm
       parallel --pipepart -a ../data.csv --block 20k --header : bn stats --save-stats - | bn merge -o all.json
       head -n 1 ../data.csv | bn normalize - --stats all.json --exact > data.norm.csv
       parallel --pipepart -a ../data.csv --block 20k --header : --keep-order \
         bn normalize - --stats all.json --exact --no-output-header >> data.norm.csv
       bn normalize ../data.csv > whole.norm.csv`,
      work,
    );
    expect(r.stderr).toBe('');
    const shards = readFileSync(path.join(work, 'norm/data.norm.csv'), 'utf8');
    const whole = readFileSync(path.join(work, 'norm/whole.norm.csv'), 'utf8');
    expect(shards.split('\n')).toHaveLength(2502);
    expect(shards === whole).toBe(true);
  });

  it('Hadoop Streaming, run locally: a map-only normalize, the parts in order after one header: the bytes of bn normalize', async () => {
    // README's normalize-mapper.sh, verbatim: every split gets the header (bn needs the column
    // names), no split writes it; the header goes once in front of the parts.
    writeFileSync(
      path.join(work, 'normalize-mapper.sh'),
      `#!/bin/sh
HEADER='id,a,big,c,label'
{ echo "$HEADER"; grep -v -x -F "$HEADER"; } | bn normalize --stats all.json --exact --no-output-header
`,
    );
    chmodSync(path.join(work, 'normalize-mapper.sh'), 0o755);
    const r = await sh(
      `mkdir -p hadoop-norm && cd hadoop-norm
       split -n l/4 ../data.csv split-
       for s in split-*; do ../mapper.sh < "$s"; done | bn merge -o all.json
       for s in split-*; do ../normalize-mapper.sh < "$s" > "part-$s"; done   # the map tasks, in split order
       { head -n 1 ../data.csv; cat part-split-*; } > data.norm.csv
       bn normalize ../data.csv > whole.norm.csv`,
      work,
    );
    expect(r.stderr).toBe('');
    const parts = readFileSync(path.join(work, 'hadoop-norm/data.norm.csv'), 'utf8');
    expect(parts === readFileSync(path.join(work, 'hadoop-norm/whole.norm.csv'), 'utf8')).toBe(true);
  });
});
