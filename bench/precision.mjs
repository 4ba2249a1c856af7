#!/usr/bin/env node
// Precision of bn stats against peers, in ULPs of the correctly rounded answer.
//
//   node bench/precision.mjs [--rows N] [--bn PATH] [--modules DIR] [--json]
//
// bn's engine claims every mean/var/var_sample is the double nearest the exact rational value
// of the input doubles. This checks that claim on adversarial columns (cancellation, huge
// offsets, subnormals, near-overflow) against a reference computed here with BigInt rationals,
// independent of bn's code, and puts datamash, Miller, numpy/pandas, DuckDB and polars (each
// only if installed) beside it. Exit status 1 when bn is not exact or fails; 0 otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: {
  rows: { type: 'string', default: '200000' }, bn: { type: 'string', default: fileURLToPath(new URL('../bin/bn', import.meta.url)) },
  modules: { type: 'string', default: fileURLToPath(new URL('..', import.meta.url)) }, json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false } } });
if (opt.help) {
  console.log('usage: node bench/precision.mjs [--rows N (200000)] [--bn PATH (this checkout\'s bin/bn)]\n' +
    '  [--modules DIR: where @duckdb/node-api, nodejs-polars are resolved from (this checkout)] [--json]');
  process.exit(0);
}
const ROWS = Number(opt.rows);
if (!Number.isInteger(ROWS) || ROWS < 2) throw new Error('--rows must be an integer >= 2');

// ---- Exact arithmetic. Every finite double is m·2^e with integer m and e >= -1074, so x·2^1074
// is an integer: sums of doubles (and of squares, scaled by 2^2148) are exact BigInts.
const F = new Float64Array(1), B = new BigUint64Array(F.buffer);
function split(x) { // [m, e] with x = m·2^e exactly
  F[0] = x; const bits = B[0], ex = Number((bits >> 52n) & 0x7ffn), frac = bits & ((1n << 52n) - 1n);
  const m = ex === 0 ? frac : frac | (1n << 52n);
  return [bits >> 63n ? -m : m, ex === 0 ? -1074 : ex - 1075];
}
const scaled = (x) => { const [m, e] = split(x); return m << BigInt(e + 1074); }; // x·2^1074
function pow2(u) { // exactly 2^u, -1074 <= u <= 1023 (built from bits: Math.pow is not promised exact)
  B[0] = u >= -1022 ? BigInt(u + 1023) << 52n : 1n << BigInt(u + 1074); return F[0];
}
const bitLen = (b) => b.toString(2).length;
// The double nearest num/den (den > 0), ties to even, subnormals and overflow included.
function roundRatio(num, den) {
  if (num === 0n) return 0;
  const neg = num < 0n; if (neg) num = -num;
  let E = bitLen(num) - bitLen(den); // floor(log2(num/den)) is E or E-1
  if (E >= 0 ? num < den << BigInt(E) : num << BigInt(-E) < den) E -= 1;
  if (E > 1023) return neg ? -Infinity : Infinity;
  const u = Math.max(E, -1022) - 52; // exponent of the ulp at that binade (fixed below 2^-1022)
  const [n, d] = u >= 0 ? [num, den << BigInt(u)] : [num << BigInt(-u), den];
  let q = n / d; const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n))) q += 1n;
  const x = Number(q) * pow2(u); // q <= 2^53: both factors and the product are exact
  return neg ? -x : x;
}
function exactStats(xs) { // the correctly rounded mean, var (÷n), var_sample (÷(n-1))
  let S = 0n, Q = 0n; const n = BigInt(xs.length);
  for (const x of xs) { const [m, e] = split(x); S += m << BigInt(e + 1074); Q += (m * m) << BigInt(2 * e + 2148); }
  const d = n * Q - S * S; // n²·var·2^2148, exact
  return { mean: roundRatio(S, n << 1074n), var: roundRatio(d, n * n << 2148n), var_sample: roundRatio(d, n * (n - 1n) << 2148n) };
}
// |got − exact| in units of ulp(exact) (ulp(0) = 2^-1074), computed exactly; Infinity if missing.
function ulps(got, exact) {
  if (typeof got !== 'number' || !Number.isFinite(got)) return Infinity;
  const diff = scaled(got) - scaled(exact), ulpExp = split(exact)[1]; // m has 53 bits, or e = -1074
  // Finite but off by more than 2^1024 ulps (e.g. 1e-15 for an exact 0): the largest double, shown as ≥
  return Math.min(roundRatio(diff < 0n ? -diff : diff, 1n << BigInt(ulpExp + 1074)), Number.MAX_VALUE);
}
function selfTest() { // hand cases, then random ones against JS's own correctly rounded + and /
  const eq = (a, b, what) => { if (!Object.is(a, b) && !(a === 0 && b === 0)) throw new Error(`self-test ${what}: ${a} != ${b}`); };
  eq(exactStats([1, 2]).mean, 1.5, 'mean[1,2]'); eq(exactStats([1, 3]).var, 1, 'var[1,3]');
  eq(exactStats([1, 3]).var_sample, 2, 'var_sample[1,3]'); eq(roundRatio(1n, 3n), 1 / 3, '1/3');
  eq(roundRatio(-1n, 10n), -0.1, '-1/10'); eq(roundRatio(2n ** 53n + 1n, 1n), 2 ** 53, 'tie to even down');
  eq(roundRatio(2n ** 53n + 3n, 1n), 2 ** 53 + 4, 'tie to even up'); eq(roundRatio(2n ** 1024n, 1n), Infinity, 'overflow');
  eq(exactStats([5e-324, 0]).mean, 0, 'subnormal tie to 0'); eq(exactStats([1.5e-323, 0]).mean, 1e-323, 'subnormal tie to even');
  eq(exactStats([5e-324, 5e-324, 5e-324, 0]).mean, 5e-324, 'subnormal 0.75 ulp');
  eq(exactStats(new Array(32).fill(0).map((_, i) => (i ? 0 : 9))).mean, 9 / 32, 'nines32 mean');
  eq(exactStats([Number.MAX_VALUE, Number.MAX_VALUE]).mean, Number.MAX_VALUE, 'mean at max');
  eq(ulps(1 + 2 ** -52, 1), 1, 'ulps 1'); eq(ulps(1 - 2 ** -53, 1), 0.5, 'ulps 0.5'); eq(ulps(NaN, 1), Infinity, 'ulps NaN');
  const rnd = prng(7), any = () => (rnd() - 0.5) * 2 ** (Math.floor(rnd() * 2098) - 1075); // 0, subnormals … 2^1021
  for (let i = 0; i < 2000; i++) {
    const a = any(), b = any() || 1, s = scaled(a) + scaled(b), [bm, be] = split(b), [am, ae] = split(a);
    if (Number.isFinite(a + b)) eq(roundRatio(s, 1n << 1074n), a + b, `${a}+${b}`);
    const k = ae - be, sign = bm < 0n ? -1n : 1n; // a/b = am·2^ae / (bm·2^be)
    const q = k >= 0 ? roundRatio((am << BigInt(k)) * sign, bm * sign) : roundRatio(am * sign, (bm * sign) << BigInt(-k));
    eq(q, a / b, `${a}/${b}`);
  }
}

// ---- Deterministic data. sfc32 for 32-bit draws; u() is uniform on [0,1) with 53 bits.
function prng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => { const t = (((a + b) | 0) + d) | 0; d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0; return t >>> 0; };
  for (let i = 0; i < 12; i++) next();
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}
const COLUMNS = {
  nines: (i) => (i === 0 ? 9 : 0), // mean 9/n: a double itself only when n is a power of two (the 32-row set)
  offset9: (i, u, g) => 1e9 + g(), // N(0,1) on a huge offset: naive Σx² − (Σx)²/n cancels to noise
  offset15: (i, u) => 1e15 + Math.floor(u() * 1000) / 8, // ulp(1e15) = 1/8: every k/8 is exact
  tiny: (i, u) => 1e-300 * (1 + u()), // x² underflows to 0 in doubles; the exact var (~1e-601) rounds to 0
  subnormal: (i, u) => Math.floor(u() * 1000) * 5e-324, // subnormal: the mean is; the exact var (~1e-643) rounds to 0
  mixed: (i, u) => (u() < 0.5 ? -1 : 1) * 10 ** (u() * 6 - 3), // magnitudes 1e-3…1e3
  // +1e16, u, −1e16, u, …: a running sum holds 1e16 when each u comes, so a plain sum drops them all
  alternating: (i, u) => (i % 2 ? u() : i % 4 ? -1e16 : 1e16),
  constant: () => 0.1, // var 0; a running sum of 0.1s drifts
  big: (i, u) => 1e150 * (1 + u()), // x² ~ 1e300: near the top of the double range
};
const NAMES = Object.keys(COLUMNS);
function makeData(rows, dir) { // the CSV holds String(x) of exactly the doubles returned
  const rnd = prng(20240501), g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const cols = NAMES.map(() => new Float64Array(rows)), lines = [NAMES.join(',')];
  for (let i = 0; i < rows; i++) lines.push(NAMES.map((n, j) => String((cols[j][i] = COLUMNS[n](i, rnd, g)))).join(','));
  const file = path.join(dir, `adversarial-${rows}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { rows, file, exact: Object.fromEntries(NAMES.map((n, j) => [n, exactStats(cols[j])])) };
}

// ---- Tools. Each run(file) returns { column: { mean, var, var_sample } } (a statistic the tool
// does not give is left out), or null when the tool is not installed. Numbers are read from text
// at full precision: JSON/shortest round-trip where the tool prints that, else %.17g (or more).
const sh = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, input });
  if (r.error?.code === 'ENOENT') return null;
  if (r.error || r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${(r.stderr || String(r.error)).trim().slice(0, 300)}`);
  return r.stdout;
};
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const triples = (names, nums) => Object.fromEntries(names.map((n, j) => [n, { mean: nums[3 * j], var: nums[3 * j + 1], var_sample: nums[3 * j + 2] }]));
const duckSql = (file) => `SELECT ${NAMES.map((n) => ['avg', 'var_pop', 'var_samp'].map((f) => `printf('%.17g', ${f}("${n}"))`).join(', ')).join(', ')}
  FROM read_csv('${file}', header=true, columns={${NAMES.map((n) => `'${n}': 'DOUBLE'`).join(', ')}})`;
const PY = `import sys, json
try:
    import numpy as np
    if sys.argv[2] == 'pandas': import pandas as pd
except ImportError: sys.exit(3)
f = sys.argv[1]
if sys.argv[2] == 'numpy':  # unpack: one contiguous row per column, so numpy's pairwise sum applies
    cols = np.loadtxt(f, delimiter=',', skiprows=1, dtype=np.float64, unpack=True, ndmin=2)
    names = open(f).readline().strip().split(',')
    out = {n: [c.mean(), c.var(ddof=0), c.var(ddof=1)] for n, c in zip(names, cols)}
else:  # round_trip: pandas' default float parser is not correctly rounded; measure the statistics
    df = pd.read_csv(f, float_precision='round_trip', dtype=np.float64)
    out = {n: [df[n].mean(), df[n].var(ddof=0), df[n].var(ddof=1)] for n in df.columns}
print(json.dumps({n: [repr(float(v)) for v in vs] for n, vs in out.items()}))`;
async function importFrom(name) { // a node package resolved from --modules DIR, or null
  let p; try { p = createRequire(path.join(path.resolve(opt.modules), 'noop.js')).resolve(name); } catch { return null; }
  return import(pathToFileURL(p).href);
}
const TOOLS = [
  ['bn', (file) => {
    const out = sh(opt.bn, ['stats', file, '--to', 'json']); // bn is the subject: absent is a failure
    if (out === null) throw new Error(`${opt.bn} not found`);
    const j = JSON.parse(out);
    return Object.fromEntries(j.features.map((n, k) => [n, { mean: j.mean[k], var: j.var[k], var_sample: j.var_sample?.[k] ?? null }]));
  }],
  ['datamash', (file) => { // long double inside: %.21g prints it whole; Number() then rounds once
    const out = sh('datamash', ['--format', '%.21g', '-t,', '--header-in', ...NAMES.flatMap((_, j) => ['mean', j + 1, 'pvar', j + 1, 'svar', j + 1].map(String))], fs.readFileSync(file));
    return out && triples(NAMES, out.trim().split(',').map(Number));
  }],
  ['miller', (file) => { // Miller's var is the sample variance; it has no population variance
    const out = sh('mlr', ['--icsv', '--ojson', 'stats1', '-a', 'mean,var', '-f', NAMES.join(','), file]);
    const r = out && JSON.parse(out)[0];
    return r && Object.fromEntries(NAMES.map((n) => [n, { mean: r[`${n}_mean`], var_sample: r[`${n}_var`] }]));
  }],
  ...['numpy', 'pandas'].map((lib) => [lib, (file) => {
    const r = spawnSync('python3', ['-c', PY, file, lib], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.error?.code === 'ENOENT' || r.status === 3) return null;
    if (r.status !== 0) throw new Error(`python3 (${lib}) exited ${r.status}: ${r.stderr.trim().slice(-300)}`);
    const j = JSON.parse(r.stdout);
    return triples(NAMES, NAMES.flatMap((n) => j[n].map(Number)));
  }]),
  ['duckdb (CLI)', (file) => {
    const out = onPath('duckdb') && sh('duckdb', ['-csv', '-noheader', '-c', duckSql(file)]);
    return out ? triples(NAMES, out.trim().split(',').map((s) => Number(s.replace(/"/g, '')))) : null;
  }],
  ['@duckdb/node-api', async (file) => {
    const m = await importFrom('@duckdb/node-api'); if (!m) return null;
    const con = await (await m.DuckDBInstance.create(':memory:')).connect();
    return triples(NAMES, (await con.runAndReadAll(duckSql(file))).getRows()[0].map(Number));
  }],
  ['nodejs-polars', async (file) => { // polars' var() takes no ddof here: sample variance only
    const m = await importFrom('nodejs-polars'); if (!m) return null;
    const pl = m.default ?? m, df = pl.readCSV(file, { dtypes: Object.fromEntries(NAMES.map((n) => [n, pl.Float64])) });
    return Object.fromEntries(NAMES.map((n) => { const r = df.select(pl.col(n).mean().alias('m'), pl.col(n).var().alias('v')).toRecords()[0]; return [n, { mean: r.m, var_sample: r.v }]; }));
  }],
];

// ---- Run and report.
selfTest();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-precision-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const sets = [...new Set([ROWS, 32])].map((rows) => makeData(rows, dir)); // 32 rows: 9/32 exact
const STATS = ['mean', 'var', 'var_sample'];
const results = [], absent = [], failed = [];
for (const [tool, run] of TOOLS) {
  let per = [];
  try {
    for (const set of sets) {
      const got = await run(set.file); if (!got) { per = null; break; }
      per.push({ rows: set.rows, columns: Object.fromEntries(NAMES.map((n) => { // a missing column counts as inf
        const g = got[n] ?? { mean: null, var: null, var_sample: null };
        return [n, Object.fromEntries(STATS.filter((s) => s in g).map((s) => [s, { got: g[s] ?? null, exact: set.exact[n][s], ulps: ulps(g[s], set.exact[n][s]) }]))];
      })) });
    }
  } catch (e) { failed.push(`${tool}: ${e.message}`); continue; }
  if (per) results.push({ tool, sets: per }); else absent.push(tool);
}
const fmt = (u) => (u === undefined ? '–' : u === Infinity ? 'inf' : u === Number.MAX_VALUE ? '≥1.8e+308' : u === 0 ? '0'
  : u < 1000 ? String(+u.toPrecision(3)) : u.toExponential(2));
const worst = (r, s) => { // [ulps, where] over every column of every data set
  let w; for (const set of r.sets) for (const n of NAMES) { const c = set.columns[n][s]; if (c && (!w || c.ulps > w[0])) w = [c.ulps, `${n}@${set.rows}`]; }
  return w;
};
const bnBad = results.filter((r) => r.tool === 'bn').flatMap((r) => r.sets.flatMap((set) => NAMES.flatMap((n) =>
  Object.entries(set.columns[n]).filter(([, c]) => c.ulps !== 0).map(([s, c]) => ({ rows: set.rows, column: n, stat: s, ...c })))));
if (opt.json) {
  const finite = (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (v === Infinity && k === 'ulps' ? 'inf' : String(v)) : v);
  console.log(JSON.stringify({ rows: sets.map((s) => s.rows), bn: opt.bn, results, notInstalled: absent, failed, bnInexact: bnBad }, finite, 1));
} else {
  const out = [`# Precision: ULPs from the correctly rounded value (data sets of ${sets.map((s) => s.rows).join(' and ')} rows)`, ''];
  out.push('| tool | mean (worst) | var ÷n (worst) | var_sample ÷(n−1) (worst) |', '| --- | --- | --- | --- |');
  for (const r of results) out.push(`| ${r.tool} | ${STATS.map((s) => { const w = worst(r, s); return w ? `${fmt(w[0])}${w[0] ? ` (${w[1]})` : ''}` : '–'; }).join(' | ')} |`);
  out.push('', 'Per column, mean / var / var_sample (– = not given by the tool):', '');
  out.push(`| tool | rows | ${NAMES.join(' | ')} |`, `| --- | --- | ${NAMES.map(() => '---').join(' | ')} |`);
  for (const r of results) for (const set of r.sets) out.push(`| ${r.tool} | ${set.rows} | ${NAMES.map((n) => STATS.map((s) => fmt(set.columns[n][s]?.ulps)).join(' / ')).join(' | ')} |`);
  out.push('', `Not installed: ${absent.length ? absent.join(', ') : 'none'}.`);
  for (const f of failed) out.push(`FAILED ${f}`);
  if (!results.some((r) => r.tool === 'bn')) out.push('', `**bn did not run** (${opt.bn}).`);
  else if (bnBad.length) {
    out.push('', `**BN IS NOT EXACT on ${bnBad.length} value(s):**`);
    for (const b of bnBad) out.push(`- ${b.column}@${b.rows} ${b.stat}: got ${b.got}, exact ${b.exact} (${fmt(b.ulps)} ulp)`);
  } else out.push('', 'bn: 0 ULP on every column and statistic (exact).');
  console.log(out.join('\n'));
}
process.exitCode = bnBad.length || !results.some((r) => r.tool === 'bn') ? 1 : 0;
