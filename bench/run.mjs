#!/usr/bin/env node
// `npm run bench` (issue #5, #7): bn against datamash, Miller and (optional) pandas on one
// deterministic dataset, side by side in one run. Plain Node ESM, no build step, no dependency.
//
//   node bench/run.mjs [--rows N] [--reps K] [--big] [--anchors] [--only a,b] [--json]
//
// --anchors adds Polars and DuckDB (their Node packages, installed into the temporary folder by
// ./anchors.mjs), a start-up table (bn on a 1 MB file, bn --version against node -e 0), and each
// bn row's ratio against its anchor with the targets that bn is held to.
// Everything lives in one temporary folder (dataset, stats file, GNU time reports, and bn's own
// spool files through TMPDIR) that is removed at the end, on error and on Ctrl-C/SIGTERM.
// The exit status is 0 even when a target is missed: this reports, it does not gate CI.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installAnchors } from './anchors.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BN = path.join(ROOT, 'bin', 'bn');
const GNU_TIME = '/usr/bin/time';
const MB = 1e6; // every "MB" printed here is 10^6 bytes (sizes, MB/s and peak RSS alike)

// Targets, as ratios from one run: against datamash and Miller, and (--anchors) against Polars
// and `node -e 0`.
const TARGET_RATIO = 0.4;
// bn stats on the Parquet copy of the dataset, against bn stats on the CSV (issue #15).
const TARGET_PARQUET_RATIO = 0.5;
/** Rows per row group of the Parquet copy (DuckDB writes 122,880, Polars and pyarrow up to 1M). */
const PARQUET_ROW_GROUP = 100_000;
const TARGET_RSS_MB = 120;
const TARGET_VS_POLARS = 0.9; // bn stats and bn normalize -o FILE, on the dataset
const TARGET_SMALL_VS_POLARS = 1.0; // bn stats on the first 10,000 rows (1 MB)
const TARGET_VERSION_VS_NODE = 1.45; // bn --version against node -e 0

const USAGE = `usage: node bench/run.mjs [options]   (npm run bench -- [options])

  --rows N        rows of the generated dataset (default 1000000: ~98 MB, 10 float columns)
  --reps K        timed repetitions per command, the median is reported (default 3)
  --big           also feed ~1 GiB on standard input to bn stats and bn normalize -b 1024
                  (peak RSS must not grow with rows); one run each
  --big-bytes B   size of the --big stream (default 1073741824)
  --anchors       also install Polars and DuckDB (Node packages) into the temporary folder and
                  time them (n/a where npm cannot install them), time start-up (bn and Polars on
                  1 MB, bn --version and --help against node -e 0), and print bn's ratios to them
  --only LIST     comma-separated row names to run (see below); anchors you leave out are n/a
  --write FILE    only write the dataset (--rows) to FILE, e.g. to profile bn on it, and exit
  --json          print one JSON object instead of the table (with npm: npm run -s bench -- --json)
  -h, --help      this text

rows: ${'$ROWS'}`;

// ---------------------------------------------------------------------------------------------
// Dataset: a seeded PRNG and only +, −, ×, ÷ and Number#toPrecision/toExponential/toFixed (all
// exactly specified by ECMAScript), so the bytes are the same on every machine and Node version:
// the SHA-256 printed in the report identifies the dataset.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed0005;
const HEADER = 'f1,f2,f3,f4,f5,f6,f7,f8,f9,f10';

/**
 * The dataset as Parquet (Snappy, Parquet's usual codec; DOUBLE columns, not null), written with
 * hyparquet-writer, the library bn writes Parquet with, a row group at a time: the same float64
 * values bn reads from the CSV text, so both give the same statistics.
 */
async function writeParquetCopy(csv, parquet) {
  const { ParquetWriter } = await import('hyparquet-writer');
  const { fileWriter } = await import('hyparquet-writer/src/node.js');
  const names = HEADER.split(',');
  const schema = [{ name: 'root', num_children: names.length }, ...names.map((name) => ({ name, type: 'DOUBLE', repetition_type: 'REQUIRED' }))];
  const writer = new ParquetWriter({ writer: fileWriter(parquet), schema });
  let columns = names.map(() => new Float64Array(PARQUET_ROW_GROUP));
  let rows = 0;
  const flush = () => {
    if (rows === 0) return;
    writer.write({ columnData: names.map((name, j) => ({ name, data: columns[j].subarray(0, rows) })), rowGroupSize: rows });
    columns = names.map(() => new Float64Array(PARQUET_ROW_GROUP));
    rows = 0;
  };
  const { createInterface } = await import('node:readline');
  let header = true;
  for await (const line of createInterface({ input: fs.createReadStream(csv) })) {
    if (header || line === '') {
      header = false;
      continue;
    }
    const fields = line.split(',');
    for (let j = 0; j < names.length; j++) columns[j][rows] = Number(fields[j]);
    if (++rows === PARQUET_ROW_GROUP) flush();
  }
  flush();
  writer.finish();
  return fs.statSync(parquet).size;
}

/**
 * A table with text, as DuckDB, pandas or Polars write one: every column OPTIONAL, row groups of
 * DuckDB's 122,880 rows, an integer id, four text columns (a name, a category of five values, an
 * MD5-like hash, a sentence) and four doubles with a few nulls. The bench's Parquet copy (ten
 * REQUIRED doubles) has none of what costs on such files: text passed through, nulls, a group
 * kept while its rows are written. Written with hyparquet-writer (v2 pages, Snappy).
 */
async function writeTextParquet(parquet, rows) {
  const { ParquetWriter } = await import('hyparquet-writer');
  const { fileWriter } = await import('hyparquet-writer/src/node.js');
  const text = (name) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
  const double = (name) => ({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
  const schema = [{ name: 'root', num_children: 9 }, { name: 'id', type: 'INT64', repetition_type: 'OPTIONAL' }, text('name'), text('color'), text('hash'), text('note'), double('a'), double('b'), double('c'), double('d')];
  const writer = new ParquetWriter({ writer: fileWriter(parquet), schema });
  const u = mulberry32(SEED ^ 0x7e47);
  const colors = ['red', 'green', 'blue', 'amber', 'violet'];
  const hex = () => Math.floor(u() * 2 ** 32).toString(16).padStart(8, '0');
  for (let start = 0; start < rows; start += 122_880) {
    const n = Math.min(122_880, rows - start);
    const ids = Array.from({ length: n }, (_, k) => BigInt(start + k));
    const columnData = [
      { name: 'id', data: ids },
      { name: 'name', data: ids.map((i) => `user_${i}`) },
      { name: 'color', data: ids.map(() => colors[Math.floor(u() * colors.length)]) },
      { name: 'hash', data: ids.map(() => hex() + hex() + hex() + hex()) },
      { name: 'note', data: ids.map((i) => `some longer free text, field number ${i}`) },
      ...['a', 'b', 'c', 'd'].map((name, j) => ({ name, data: ids.map(() => (u() < 0.01 ? null : (u() - 0.3) * 10 ** j)) })),
    ];
    writer.write({ columnData, rowGroupSize: n });
  }
  writer.finish();
  return fs.statSync(parquet).size;
}

/** One row generator per column: different scales, signs, digit counts and notations. */
function columnMakers(u) {
  // Irwin–Hall: the sum of 12 uniforms minus 6 has mean 0, variance 1 (no Math.log/cos needed).
  const normal = () => {
    let s = -6;
    for (let i = 0; i < 12; i++) s += u();
    return s;
  };
  return [
    () => u().toPrecision(8), //                       f1  probability-like  0.12345678
    () => normal().toPrecision(8), //                  f2  standard normal   -1.2345678
    () => (1000 + 250 * normal()).toPrecision(8), //   f3  measurement       1234.5678
    () => (5 + 200 * u() ** 3).toPrecision(7), //      f4  skewed price      12.34567
    () => Math.floor(1000 * u() ** 4).toString(), //   f5  count             0 … 999
    () => (3e-5 * normal()).toExponential(6), //       f6  tiny, exponent    -2.123456e-5
    () => (-50 + 5 * normal()).toPrecision(8), //      f7  negative          -51.234567
    () => (1e6 + normal()).toPrecision(10), //         f8  large offset      1000000.123
    () => (2 * u() - 1).toFixed(5), //                 f9  signed, fixed     -0.12345
    () => (1e5 * normal()).toPrecision(7), //          f10 wide, signed      -123456.7
  ];
}

/**
 * Writes the dataset and returns its size, SHA-256 and, per column, the exact mean and the
 * biased variance of the values as written (Welford on the parsed text), for Miller's put.
 */
function generateDataset(file, rows) {
  const u = mulberry32(SEED);
  const makers = columnMakers(u);
  const k = makers.length;
  const hash = createHash('sha256');
  const mean = new Float64Array(k);
  const m2 = new Float64Array(k);
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  const write = (text) => {
    const buf = Buffer.from(text, 'latin1');
    fs.writeSync(fd, buf);
    hash.update(buf);
    bytes += buf.length;
  };
  try {
    write(HEADER + '\n');
    const CHUNK_ROWS = 8192;
    const lines = [];
    const cells = new Array(k);
    for (let r = 0; r < rows; r++) {
      const n = r + 1;
      for (let j = 0; j < k; j++) {
        const text = makers[j]();
        cells[j] = text;
        const x = Number(text);
        const d = x - mean[j];
        mean[j] += d / n;
        m2[j] += d * (x - mean[j]);
      }
      lines.push(cells.join(','));
      if (lines.length === CHUNK_ROWS) {
        write(lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length > 0) write(lines.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return {
    bytes,
    sha256: hash.digest('hex'),
    headerBytes: HEADER.length + 1,
    mean: [...mean],
    var: [...m2].map((s) => s / rows),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: every child runs in its own process group so that Ctrl-C/SIGTERM can end it (and
// its own children: sh, tail, bn) before the temporary folder is removed.

const children = new Set();
let tmpDir;

function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  if (tmpDir) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = undefined;
  }
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
    cleanup();
    process.exit(status);
  });
}

/**
 * Runs argv (through GNU time when present) with stdout to `stdoutPath`, and returns the wall
 * time (measured here, ns resolution), GNU time's user/system CPU and peak RSS, the exit
 * status and the end of stderr. With `shell`, argv is [script] where script(prefix) returns the
 * sh -c text, with `prefix` (GNU time, shell-quoted) in front of the one command to measure.
 */
function measure(argv, { stdoutPath = '/dev/null', shell = false, env = {} } = {}) {
  const report = path.join(tmpDir, `time-${process.hrtime.bigint()}.txt`);
  const timePrefix = hasGnuTime ? [GNU_TIME, '-o', report, '-f', '%e %U %S %M'] : [];
  const [cmd, args] = shell
    ? ['sh', ['-c', argv[0](timePrefix.map(shellQuote).join(' '))]]
    : [(timePrefix[0] ?? argv[0]), [...timePrefix.slice(1), ...(timePrefix.length ? argv : argv.slice(1))]];
  const out = fs.openSync(stdoutPath, 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      stdio: ['ignore', out, 'pipe'],
      detached: true,
      env: {
        ...process.env,
        TMPDIR: tmpDir, // bn's stdin spool lands in our folder, removed with it
        NO_COLOR: '1',
        ...env,
      },
    });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('error', (err) => {
      children.delete(child);
      fs.closeSync(out);
      reject(err);
    });
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      children.delete(child);
      fs.closeSync(out);
      let user, sys, rssMB;
      if (hasGnuTime && fs.existsSync(report)) {
        // "Command exited with non-zero status N" may come first; the format line is last.
        const last = fs.readFileSync(report, 'utf8').trim().split('\n').pop().trim().split(/\s+/);
        if (last.length === 4 && last.every((f) => /^[\d.]+$/.test(f))) {
          user = Number(last[1]);
          sys = Number(last[2]);
          rssMB = (Number(last[3]) * 1024) / MB; // %M is in KiB
        }
        fs.rmSync(report, { force: true });
      }
      resolve({ seconds, user, sys, rssMB, code: code ?? 128, signal, stderr: stderr.trim() });
    });
  });
}

function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] : undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------------------------------------

const hasGnuTime = (() => {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  } catch {
    return false;
  }
})();

function findPython() {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', which('python3')].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const sk = spawnSync(py, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
    return { py, pandas: r.stdout.trim(), sklearn: sk.status === 0 ? sk.stdout.trim() : undefined };
  }
  return undefined;
}

const PANDAS_STATS = `import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
print(pd.DataFrame({"mean": df.mean(), "var": df.var(ddof=0)}).to_string())`;

const PANDAS_SCALER = `import sys, pandas as pd
from sklearn.preprocessing import StandardScaler
df = pd.read_csv(sys.argv[1])
pd.DataFrame(StandardScaler().fit_transform(df), columns=df.columns).to_csv(sys.stdout, index=False)`;

/**
 * The rows of the table. group: which anchor the ratio is taken against; target: the time ratio
 * the issue sets (undefined: reported, not judged); rss: judged against TARGET_RSS_MB.
 */
function defineRows(ctx, data, parquet, textParquet) {
  const { statsFile, tools, info } = ctx;
  const features = HEADER.split(',');
  // Miller: z = (x − mean)/sqrt(var + eps), constants inlined with full precision.
  const putExpr = features
    .map((f, j) => `$${f} = ($${f} - ${info.mean[j]}) / ${Math.sqrt(info.var[j] + 1e-5)}`)
    .join('; ');
  // bin/bn itself, as a user runs it: its shebang carries bn's V8 flags.
  const bn = (...args) => [BN, ...args];
  const { polars, duckdb } = ctx.anchors ?? {};
  const anchorNeeds = (anchor) => () => (!ctx.anchors ? 'needs --anchors' : anchor.error);
  const out = (name) => path.join(tmpDir, name);
  return [
    { name: 'bn-stats', label: 'bn stats', group: 'stats', argv: bn('stats', data), target: TARGET_RATIO, rss: true, vs: { name: 'polars-stats', target: TARGET_VS_POLARS } },
    { name: 'bn-stats-parquet', label: 'bn stats (Parquet copy)', group: 'stats', argv: bn('stats', parquet), rss: true },
    // Its peak RSS is held to the same budget as the CSV's rows.
    {
      name: 'bn-normalize-text-parquet',
      label: 'bn normalize -o (Parquet with text)',
      group: 'normalize',
      argv: bn('normalize', textParquet, '-o', out('bn-text.csv')),
      rss: true,
      // MB/s of its own file, not of the CSV dataset.
      bytes: fs.existsSync(textParquet) ? fs.statSync(textParquet).size : 0,
    },
    { name: 'bn-normalize', label: 'bn normalize (whole, 2 passes)', group: 'normalize', argv: bn('normalize', data), target: TARGET_RATIO, rss: true },
    {
      name: 'bn-normalize-file',
      label: 'bn normalize -o FILE',
      group: 'normalize',
      argv: bn('normalize', data, '-o', out('bn-normalized.csv')),
      rss: true,
      anchorRow: true,
      vs: { name: 'polars-normalize', target: TARGET_VS_POLARS },
    },
    { name: 'bn-normalize-b256', label: 'bn normalize -b 256', group: 'normalize', argv: bn('normalize', '-b', '256', data), rss: true },
    {
      name: 'bn-normalize-stats',
      label: 'bn normalize --stats S',
      group: 'normalize',
      argv: bn('normalize', '--stats', statsFile, data),
      rss: true,
      needs: () => ctx.statsNote,
    },
    {
      name: 'datamash',
      label: 'datamash mean,pvar',
      group: 'stats',
      anchor: true,
      argv: ['datamash', '-t,', '-H', 'mean', '1-10', 'pvar', '1-10'],
      stdin: data,
      needs: () => (tools.datamash ? undefined : 'datamash not installed (apt-get install datamash)'),
    },
    {
      name: 'mlr-stats1',
      label: 'mlr stats1 mean,var',
      group: 'stats',
      argv: ['mlr', '--icsv', '--ocsv', 'stats1', '-a', 'mean,var', '-f', features.join(','), data],
      needs: () => (tools.mlr ? undefined : 'Miller not installed (apt-get install miller)'),
    },
    {
      name: 'mlr-put',
      label: 'mlr put z-score (1 pass)',
      group: 'normalize',
      anchor: true,
      argv: ['mlr', '--icsv', '--ocsv', 'put', putExpr, data],
      needs: () => (tools.mlr ? undefined : 'Miller not installed (apt-get install miller)'),
    },
    {
      name: 'pandas-stats',
      label: 'pandas read_csv mean,var',
      group: 'stats',
      argv: [tools.python?.py, '-c', PANDAS_STATS, data],
      needs: () => (tools.python ? undefined : 'pandas not installed (apt-get install python3-pandas)'),
    },
    {
      name: 'pandas-scaler',
      label: 'pandas+sklearn StandardScaler',
      group: 'normalize',
      argv: [tools.python?.py, '-c', PANDAS_SCALER, data],
      needs: () =>
        tools.python?.sklearn ? undefined : 'pandas/scikit-learn not installed (apt-get install python3-pandas python3-sklearn)',
    },
    ...[
      ['polars', polars, 'Polars', 'stats', 'mean, var(0)'],
      ['polars', polars, 'Polars', 'normalize', 'z-score to a file'],
      ['duckdb', duckdb, 'DuckDB', 'stats', 'avg, var_pop'],
      ['duckdb', duckdb, 'DuckDB', 'normalize', 'COPY z-score TO csv'],
    ].map(([tool, anchor, name, group, what]) => ({
      name: `${tool}-${group}`,
      label: `${name} (Node) ${what}`,
      group,
      anchorRow: true,
      argv: ['node', anchor?.script?.(`${tool}-${group}.mjs`), data, ...(group === 'normalize' ? [out(`${tool}-normalized.csv`)] : [])],
      needs: anchorNeeds(anchor ?? {}),
    })),
  ];
}

/**
 * Start-up (--anchors): bn and Polars on the first 10,000 rows (1 MB), where loading the program
 * is most of the time, and bn --version / --help against Node starting and doing nothing.
 */
function defineStartupRows(ctx, small) {
  const { polars } = ctx.anchors ?? {};
  return [
    { name: 'bn-stats-1mb', label: 'bn stats (1 MB)', group: 'startup', argv: [BN, 'stats', small], bytes: ctx.smallBytes, vs: { name: 'polars-stats-1mb', target: TARGET_SMALL_VS_POLARS } },
    {
      name: 'polars-stats-1mb',
      label: 'Polars (Node) mean, var(0) (1 MB)',
      group: 'startup',
      argv: ['node', polars?.script?.('polars-stats.mjs'), small],
      bytes: ctx.smallBytes,
      needs: () => polars?.error,
    },
    { name: 'bn-version', label: 'bn --version', group: 'startup', argv: [BN, '--version'], bytes: 0, vs: { name: 'node-e0', target: TARGET_VERSION_VS_NODE } },
    { name: 'bn-help', label: 'bn --help', group: 'startup', argv: [BN, '--help'], bytes: 0, vs: { name: 'node-e0' } },
    { name: 'node-e0', label: 'node -e 0', group: 'startup', argv: ['node', '-e', '0'], bytes: 0 },
  ];
}

/** The --big rows: ~1 GiB on bn's standard input, the dataset once with its header, then its body again. */
function defineBigRows(data, copies) {
  const q = shellQuote(data);
  const feed =
    `{ cat ${q}; i=1; while [ "$i" -lt ${copies} ]; do tail -n +2 ${q}; i=$((i+1)); done; }`;
  const bn = (args) => (time) => `${feed} | ${time} ${shellQuote(BN)} ${args}`;
  return [
    { name: 'big-bn-stats', label: 'bn stats - (stdin)', group: 'big', script: bn('stats -'), rss: true },
    { name: 'big-bn-normalize-b1024', label: 'bn normalize -b 1024 - (stdin)', group: 'big', script: bn('normalize -b 1024 -'), rss: true },
  ];
}

function commandOf(row) {
  if (row.script) return [row.script];
  if (row.stdin) return ['sh', '-c', `exec "$@" < ${shellQuote(row.stdin)}`, 'sh', ...row.argv];
  return row.argv;
}

/**
 * Runs the rows round-robin: first an untimed warm-up of each on `warmRows` (the same command
 * on the first rows of the dataset: loads the program and its libraries, checks that it works,
 * at a fraction of the cost of a full run; main has put the dataset in the page cache), then
 * repetition 1 of every row, repetition 2 of every row, and so on. Interleaving spreads any
 * background load over all rows alike, so the ratios suffer less from it than the seconds.
 */
async function runRows(rows, reps, log, warmRows = []) {
  const state = new Map(rows.map((row) => [row, { runs: [], error: undefined }]));
  const opts = (row) => (row.script ? { shell: true } : {});
  for (const row of rows) {
    const warm = warmRows.find((w) => w.name === row.name);
    if (!warm) continue;
    log(`  ${row.name}: warm-up`);
    const w = await measure(commandOf(warm), opts(row));
    if (w.code !== 0) state.get(row).error = describeFailure(w);
  }
  for (let i = 0; i < reps; i++) {
    for (const row of rows) {
      const st = state.get(row);
      if (st.error) continue;
      const r = await measure(commandOf(row), opts(row));
      if (r.code !== 0) {
        st.error = describeFailure(r);
        continue;
      }
      log(`  ${row.name}: run ${i + 1}/${reps} ${r.seconds.toFixed(2)} s, ${r.rssMB?.toFixed(0) ?? '?'} MB`);
      st.runs.push(r);
    }
  }
  return rows.map((row) => {
    const { runs, error } = state.get(row);
    if (error) return { row, result: { error } };
    return {
      row,
      result: {
        runs,
        seconds: median(runs.map((r) => r.seconds)),
        user: median(runs.map((r) => r.user ?? NaN)),
        sys: median(runs.map((r) => r.sys ?? NaN)),
        rssMB: hasGnuTime ? Math.max(...runs.map((r) => r.rssMB ?? NaN)) : undefined,
      },
    };
  });
}

function describeFailure(r) {
  const last = r.stderr.split('\n').filter((l) => !l.startsWith('Command exited')).slice(-2).join(' / ');
  return `exit ${r.signal ?? r.code}${last ? `: ${last}` : ''}`;
}

// ---------------------------------------------------------------------------------------------

function machineInfo(tools) {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const git = (args) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout?.trim();
  const dirty = git(['status', '--porcelain', '--', 'src', 'bin', 'package.json']);
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpu: model,
    memGB: +(os.totalmem() / 1e9).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    bn: `${git(['rev-parse', '--short', 'HEAD']) ?? '?'}${dirty ? ' (+ uncommitted changes)' : ''}`,
    datamash: tools.datamash ?? 'not installed',
    mlr: tools.mlr ?? 'not installed',
    pandas: tools.python
      ? `pandas ${tools.python.pandas}${tools.python.sklearn ? `, scikit-learn ${tools.python.sklearn}` : ''} (${tools.python.py})`
      : tools.pythonChecked ? 'not installed' : 'not checked (--only)',
    gnuTime: hasGnuTime ? GNU_TIME : 'not installed: peak RSS not measured (apt-get install time)',
    anchors: tools.anchors && Object.values(tools.anchors).map((a) => a.version ?? a.error).join('; '),
  };
}

/**
 * A row against another row of the same run (bn against Polars, bn --version against node -e 0):
 * runs were interleaved, so run i of one and run i of the other are a pair; the median of the
 * pairs' ratios, and its verdict against the target.
 */
function versus(vs, result, all) {
  const other = all.find((x) => x.row.name === vs.name);
  const out = { name: vs.name, label: other?.row.label, target: vs.target };
  if (!other || other.result.error || other.result.na) return { ...out, verdict: vs.target === undefined ? undefined : 'n/a' };
  const pairs = Math.min(result.runs.length, other.result.runs.length);
  const ratio = median(Array.from({ length: pairs }, (_, i) => result.runs[i].seconds / other.result.runs[i].seconds));
  return { ...out, ratio, verdict: vs.target === undefined ? undefined : ratio <= vs.target ? 'PASS' : 'FAIL' };
}

function judge(row, result, anchors) {
  const out = { ratio: undefined, time: undefined, rss: undefined };
  const anchor = anchors[row.group];
  if (row.anchor) out.ratio = 1;
  else if (anchor?.seconds) out.ratio = result.seconds / anchor.seconds;
  if (row.target !== undefined) {
    out.time = out.ratio === undefined ? 'n/a' : out.ratio <= row.target ? 'PASS' : 'FAIL';
  }
  if (row.rss) {
    out.rss = result.rssMB === undefined ? 'n/a' : result.rssMB <= TARGET_RSS_MB ? 'PASS' : 'FAIL';
  }
  return out;
}

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' + cells.map((c, i) => (align[i] === 'r' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (align[i] === 'r' ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function printReport(report) {
  const { machine, dataset, results, startup, big, skipped, settings } = report;
  const fmt = (x, d) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
  const o = [];
  o.push(`bn benchmark — ${machine.date}`);
  o.push('');
  o.push(`machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memGB} GB RAM, ${machine.os}`);
  o.push(`node ${machine.node}; bn ${machine.bn}`);
  o.push(`datamash: ${machine.datamash}; Miller: ${machine.mlr}; python: ${machine.pandas}; GNU time: ${machine.gnuTime}`);
  if (machine.anchors) o.push(`anchors (npm, into the temporary folder): ${machine.anchors}`);
  o.push(
    `dataset: ${dataset.rows.toLocaleString('en-US')} rows × 10 float columns, ${fmt(dataset.bytes / MB, 1)} MB, ` +
      `seed 0x${SEED.toString(16)}, sha256 ${dataset.sha256.slice(0, 16)}… (generated in ${fmt(dataset.seconds, 1)} s)`,
  );
  o.push(`median of ${settings.reps} timed runs, interleaved across commands (each warmed up on the first 10,000 rows; dataset in page cache); MB = 10^6 bytes; peak RSS = max over the timed runs`);
  o.push('');
  const vsCell = (r) => (r.vs?.ratio === undefined ? (r.vs ? 'n/a' : '') : `${r.vs.ratio.toFixed(2)}× ${r.vs.name}`);
  const targets = (r) =>
    [
      r.time && `time ${r.time} (≤ ${TARGET_RATIO}×)`,
      r.vs?.verdict && `vs ${r.vs.name} ${r.vs.verdict} (≤ ${r.vs.target}×)`,
      r.rss && `RSS ${r.rss} (≤ ${TARGET_RSS_MB} MB)`,
    ]
      .filter(Boolean)
      .join(', ');
  const rowCells = (r) =>
    r.na
      ? [r.label, 'n/a', '', '', '', '', '', '', r.na]
      : [
          r.label,
          r.error ? 'ERROR' : fmt(r.seconds, r.group === 'startup' ? 3 : 2),
          r.error || r.runs.length < 2 ? '' : `${fmt(Math.min(...r.runs.map((x) => x.seconds)), 2)}–${fmt(Math.max(...r.runs.map((x) => x.seconds)), 2)}`,
          r.error ? '' : fmt(r.mbPerS, 1),
          r.error ? '' : fmt(r.cpu, 2),
          r.error ? '' : fmt(r.rssMB, 0),
          r.error ? '' : r.anchor ? 'anchor' : r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
          r.error ? '' : vsCell(r),
          r.error ? r.error : targets(r),
        ];
  // The "vs" column (against Polars, or node -e 0) is there with --anchors only.
  const vsColumn = settings.anchors ? [7] : [];
  const keep = (cells) => cells.filter((_, i) => i !== 7 || vsColumn.length);
  const headers = keep(['command', 'median s', 'min–max s', 'MB/s', 'CPU s', 'peak RSS MB', 'ratio', 'vs (paired)', 'target']);
  const align = keep(['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
  for (const [group, title] of [['stats', 'statistics (anchor: datamash)'], ['normalize', "normalization (anchor: Miller's one-pass put)"]]) {
    const rows = results.filter((r) => r.group === group);
    if (rows.length === 0) continue;
    o.push(`${title}`);
    o.push(table(headers, rows.map((r) => keep(rowCells(r))), align));
    o.push('');
  }
  if (startup?.length) {
    o.push(`start-up: 1 MB = the dataset's first 10,000 rows; median of ${startup.find((r) => r.runs)?.runs.length ?? '?'} runs each`);
    o.push(table(headers, startup.map((r) => keep(rowCells(r))), align));
    o.push('');
  }
  if (big) {
    o.push(`memory on standard input: ${fmt(big.bytes / MB, 0)} MB (the dataset once, then its body ${big.copies - 1} more times), one run each`);
    o.push(table(headers, big.results.map((r) => keep(rowCells(r))), align));
    o.push('');
  }
  if (report.parquetVsCsv) {
    const { ratio, target, rssMB } = report.parquetVsCsv;
    o.push(`bn stats on the Parquet copy (${fmt(dataset.parquetBytes / MB, 1)} MB, Snappy, row groups of ${PARQUET_ROW_GROUP.toLocaleString('en-US')}) / on the CSV: ${ratio.toFixed(2)}× (median of the runs' ratios; target ≤ ${target}×: ${ratio <= target ? 'PASS' : 'FAIL'}); peak RSS ${fmt(rssMB, 0)} MB`);
    o.push('');
  }
  if (skipped.length) {
    o.push('skipped:');
    for (const s of skipped) o.push(`  ${s.name}: ${s.reason}`);
    o.push('');
  }
  o.push('CPU s = user + system (median); more than "median s" means more than one core was busy.');
  o.push(`targets: bn stats ≤ ${TARGET_RATIO}× datamash; bn normalize (whole) ≤ ${TARGET_RATIO}× Miller put; bn peak RSS ≤ ${TARGET_RSS_MB} MB, also on the 1 GiB stdin stream (--big).`);
  if (settings.anchors) {
    o.push(`  with --anchors: bn stats and bn normalize -o FILE ≤ ${TARGET_VS_POLARS}× Polars; bn stats on 1 MB ≤ ${TARGET_SMALL_VS_POLARS}× Polars; bn --version ≤ ${TARGET_VERSION_VS_NODE}× node -e 0`);
    o.push('  ("vs": the median of the ratios of runs made one after the other).');
  }
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  o.push(`load average (1, 5, 15 min) before: ${load(report.load.before)}; after: ${load(report.load.after)}`);
  // The bench alone keeps about one core busy (Miller two): a 1-minute load of 0.5 before it
  // starts, or a 5-minute load of 1.5 at its end, means someone else was using the CPUs.
  if (report.load.before[0] >= 0.5 || report.load.after[1] >= 1.5) {
    o.push('WARNING: the machine was busy with other work: seconds are noisy (compare CPU s, and the ratios, which');
    o.push('         interleaved runs keep fairer); rerun on an idle machine for numbers to quote.');
  }
  o.push(`bench wall time: ${fmt(report.seconds, 0)} s`);
  console.log(o.join('\n'));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      reps: { type: 'string', default: '3' },
      big: { type: 'boolean', default: false },
      anchors: { type: 'boolean', default: false },
      'big-bytes': { type: 'string', default: String(2 ** 30) },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
      write: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const allNames = [
    'bn-stats', 'bn-stats-parquet', 'bn-normalize-text-parquet', 'bn-normalize', 'bn-normalize-file', 'bn-normalize-b256', 'bn-normalize-stats', 'datamash', 'mlr-stats1', 'mlr-put', 'pandas-stats', 'pandas-scaler',
    'polars-stats', 'polars-normalize', 'duckdb-stats', 'duckdb-normalize', 'bn-stats-1mb', 'polars-stats-1mb', 'bn-version', 'bn-help', 'node-e0',
    'big-bn-stats', 'big-bn-normalize-b1024',
  ];
  if (values.help) {
    console.log(USAGE.replace('$ROWS', allNames.join(', ')));
    return;
  }
  const rowsN = Number(values.rows);
  const reps = Number(values.reps);
  const bigBytes = Number(values['big-bytes']);
  if (!Number.isInteger(rowsN) || rowsN < 2) throw new UsageError(`--rows: expected an integer ≥ 2, got ${values.rows}`);
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError(`--reps: expected an integer ≥ 1, got ${values.reps}`);
  if (!(bigBytes > 0)) throw new UsageError(`--big-bytes: expected a positive number, got ${values['big-bytes']}`);
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  for (const n of only ?? []) if (!allNames.includes(n)) throw new UsageError(`--only: unknown row "${n}" (rows: ${allNames.join(', ')})`);
  if (values.write) {
    const info = generateDataset(values.write, rowsN);
    console.log(`${values.write}: ${rowsN} rows, ${info.bytes} bytes, sha256 ${info.sha256}`);
    return;
  }
  const wanted = (name) => !only || only.has(name);
  const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
  const t0 = process.hrtime.bigint();
  const loadBefore = os.loadavg();

  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'run.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-bench-'));
  const data = path.join(tmpDir, 'data.csv');
  const statsFile = path.join(tmpDir, 'stats.json');
  const warmData = path.join(tmpDir, 'warm.csv');
  const parquet = path.join(tmpDir, 'data.parquet');
  const warmParquet = path.join(tmpDir, 'warm.parquet');
  const textParquet = path.join(tmpDir, 'text.parquet');
  const warmTextParquet = path.join(tmpDir, 'warm-text.parquet');

  const tools = {
    datamash: which('datamash') && firstLine('datamash', ['--version']),
    mlr: which('mlr') && firstLine('mlr', ['--version']),
    pythonChecked: wanted('pandas-stats') || wanted('pandas-scaler'),
  };
  tools.python = tools.pythonChecked ? findPython() : undefined;

  log(`generating ${rowsN} rows in ${tmpDir}`);
  const g0 = process.hrtime.bigint();
  const info = generateDataset(data, rowsN);
  const dataset = { rows: rowsN, bytes: info.bytes, sha256: info.sha256, seconds: Number(process.hrtime.bigint() - g0) / 1e9 };
  log(`dataset: ${(info.bytes / MB).toFixed(1)} MB`);
  // Page cache: read the file once before anything is timed (it was just written, but be sure).
  await measure(['cat', data]);
  // The warm-up input: the header and the first rows (at most 10,000).
  await measure(['head', '-n', String(Math.min(rowsN, 10000) + 1), data], { stdoutPath: warmData });

  if (wanted('bn-stats-parquet')) {
    const p0 = process.hrtime.bigint();
    dataset.parquetBytes = await writeParquetCopy(data, parquet);
    await writeParquetCopy(warmData, warmParquet);
    log(`Parquet copy: ${(dataset.parquetBytes / MB).toFixed(1)} MB in ${(Number(process.hrtime.bigint() - p0) / 1e9).toFixed(1)} s`);
    await measure(['cat', parquet]);
  }
  if (wanted('bn-normalize-text-parquet')) {
    const p0 = process.hrtime.bigint();
    dataset.textParquetBytes = await writeTextParquet(textParquet, rowsN);
    await writeTextParquet(warmTextParquet, Math.min(rowsN, 10000));
    log(`Parquet with text: ${(dataset.textParquetBytes / MB).toFixed(1)} MB in ${(Number(process.hrtime.bigint() - p0) / 1e9).toFixed(1)} s`);
    await measure(['cat', textParquet]);
  }

  const ctx = { statsFile, tools, info, statsNote: undefined, smallBytes: fs.statSync(warmData).size };
  if (values.anchors) {
    ctx.anchors = installAnchors(path.join(tmpDir, 'anchors'), log);
    tools.anchors = ctx.anchors;
  }
  if (wanted('bn-normalize-stats')) {
    // The stats file for inference mode, made once (untimed) by bn itself.
    const r = await measure([BN, 'stats', data, '--save-stats', statsFile]);
    if (r.code !== 0 || !fs.existsSync(statsFile)) {
      ctx.statsNote = `\`bn stats FILE --save-stats S\` is not supported by this build (${describeFailure(r)})`;
    }
  }

  const skipped = [];
  const anchors = {};
  // Rows to run, and (--anchors) anchor rows that cannot run, shown as n/a.
  const pick = (defined) => {
    const run = [];
    const na = [];
    for (const r of defined) {
      if (!wanted(r.name) || (r.anchorRow && !values.anchors)) continue;
      const reason = r.needs?.();
      if (reason && r.anchorRow) na.push({ row: r, result: { na: reason } });
      else if (reason) {
        skipped.push({ name: r.name, reason });
        log(`  ${r.name}: skipped (${reason})`);
      } else run.push(r);
    }
    const order = (x) => defined.indexOf(x.row);
    return { run, withNa: (results) => [...results, ...na].sort((a, b) => order(a) - order(b)) };
  };
  const main = pick(defineRows(ctx, data, parquet, textParquet));
  const results = main.withNa(await runRows(main.run, reps, log, defineRows(ctx, warmData, warmParquet, warmTextParquet)));
  for (const { row, result } of results) if (row.anchor && !result.error && !result.na) anchors[row.group] = result;
  let startup = [];
  if (values.anchors) {
    const rows = pick(defineStartupRows(ctx, warmData));
    // Runs of a tenth of a second vary more than the rest: more of them.
    const startupReps = Math.max(10, 3 * reps);
    startup = rows.withNa(await runRows(rows.run, startupReps, log, rows.run));
  }
  const finish = ({ row, result }, bytes, all) => ({
    name: row.name,
    label: row.label,
    group: row.group,
    anchor: !!row.anchor,
    ...(result.na ? { na: result.na } : {}),
    ...(result.error || result.na
      ? { error: result.error }
      : {
          seconds: result.seconds,
          mbPerS: bytes > 0 ? bytes / MB / result.seconds : undefined,
          cpu: result.user + result.sys,
          rssMB: result.rssMB,
          runs: result.runs.map((r) => ({ seconds: r.seconds, user: r.user, sys: r.sys, rssMB: r.rssMB })),
          ...judge(row, result, anchors),
          ...(row.vs && values.anchors ? { vs: versus(row.vs, result, all) } : {}),
        }),
  });

  let big;
  const copies = Math.max(1, Math.ceil((bigBytes - info.headerBytes) / (info.bytes - info.headerBytes)));
  const bigWanted = values.big ? defineBigRows(data, copies).filter((r) => wanted(r.name)) : [];
  if (bigWanted.length) {
    const bytes = info.headerBytes + copies * (info.bytes - info.headerBytes);
    const bigResults = [];
    for (const row of bigWanted) {
      log(`  ${row.name}: ${(bytes / MB).toFixed(0)} MB on stdin`);
      bigResults.push(finish((await runRows([row], 1, log))[0], bytes, []));
    }
    big = { copies, bytes, rows: copies * rowsN, results: bigResults };
  } else if (only && !values.big && [...only].some((n) => n.startsWith('big-'))) {
    skipped.push({ name: 'big-*', reason: 'needs --big' });
  }

  // bn stats on Parquet against bn stats on CSV, run by run (the runs interleave: pairs share the machine's load).
  const byName = (name) => results.find((x) => x.row.name === name)?.result;
  const onCsv = byName('bn-stats');
  const onParquet = byName('bn-stats-parquet');
  const parquetVsCsv =
    onCsv?.runs && onParquet?.runs
      ? { ratio: median(onParquet.runs.map((r, i) => r.seconds / onCsv.runs[i].seconds)), target: TARGET_PARQUET_RATIO, rssMB: onParquet.rssMB }
      : undefined;

  const report = {
    machine: machineInfo(tools),
    parquetVsCsv,
    settings: { rows: rowsN, reps, big: values.big, anchors: values.anchors },
    dataset,
    results: results.map((x) => finish(x, x.row.bytes ?? info.bytes, results)),
    startup: startup.map((x) => finish(x, x.row.bytes ?? info.bytes, startup)),
    big,
    skipped,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    load: { before: loadBefore, after: os.loadavg() },
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
}

class UsageError extends Error {}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = err instanceof UsageError || String(err.code).startsWith('ERR_PARSE_ARGS') ? 2 : 1;
} finally {
  cleanup();
}
