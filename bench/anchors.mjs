// The anchors of bn's speed targets (`node bench/run.mjs --anchors`): Polars' and DuckDB's Node
// packages, multithreaded native code started as a Node process just like bn. The bench installs
// them into its own temporary folder (npm install --prefix); they are not dependencies of bn, and
// a row whose package cannot be installed says n/a.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The packages of each anchor: Polars' platform binding is a package of its own. */
const PACKAGES = {
  polars: ['nodejs-polars', 'nodejs-polars-linux-x64-gnu'],
  duckdb: ['@duckdb/node-api'],
};

// Each script takes the input CSV (and the output file) as arguments. The statistics are bn
// stats' own: the mean and the population (biased) variance of every column; normalize is
// (x − mean)/√(var + 1e-5) of every column, written as CSV to a file.
const SCRIPTS = {
  'polars-stats.mjs': `import pl from 'nodejs-polars';
const df = pl.readCSV(process.argv[2]);
process.stdout.write(\`\${df.mean()}\\n\${df.var(0)}\\n\`);
`,
  'polars-normalize.mjs': `import pl from 'nodejs-polars';
const [input, output] = process.argv.slice(2);
const df = pl.readCSV(input);
// Expr#var() has no ddof here (always n − 1): the biased variance is var()·(n − 1)/n.
const n = (c) => pl.col(c).count();
const varPop = (c) => pl.col(c).var().mul(n(c).sub(1)).div(n(c));
const z = (c) => pl.col(c).sub(pl.col(c).mean()).div(varPop(c).add(1e-5).pow(0.5)).alias(c);
df.select(...df.columns.map(z)).writeCSV(output);
`,
  'duckdb-common.mjs': `import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
export const literal = (s) => \`'\${s.replace(/'/g, "''")}'\`;
export const id = (s) => \`"\${s.replace(/"/g, '""')}"\`;
/** The column names: the file's first line (the bench's dataset has no quoted header). */
export function columns(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(65536);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  return buf.toString('utf8', 0, n).split(/\\r?\\n/)[0].split(',');
}
export async function connect() {
  return (await DuckDBInstance.create(':memory:')).connect();
}
/** mean_i and var_i of every column. */
export const moments = (file, cols) =>
  \`SELECT \${cols.map((c, i) => \`avg(\${id(c)}) AS mean_\${i}, var_pop(\${id(c)}) AS var_\${i}\`).join(', ')} FROM read_csv(\${literal(file)})\`;
`,
  'duckdb-stats.mjs': `import { columns, connect, moments } from './duckdb-common.mjs';
const file = process.argv[2];
const reader = await (await connect()).runAndReadAll(moments(file, columns(file)));
process.stdout.write(JSON.stringify(reader.getRows()[0]) + '\\n');
`,
  'duckdb-normalize.mjs': `import { columns, connect, id, literal, moments } from './duckdb-common.mjs';
const [input, output] = process.argv.slice(2);
const cols = columns(input);
const z = cols.map((c, i) => \`(d.\${id(c)} - s.mean_\${i}) / sqrt(s.var_\${i} + 1e-5) AS \${id(c)}\`).join(', ');
await (await connect()).run(\`COPY (SELECT \${z} FROM read_csv(\${literal(input)}) AS d, (\${moments(input, cols)}) AS s) TO \${literal(output)} (HEADER, DELIMITER ',')\`);
`,
};

/**
 * Installs the anchors into `dir` and writes their scripts there. Returns, for polars and duckdb,
 * { version, script(name) } or { error } (why the rows say n/a).
 */
export function installAnchors(dir, log) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  for (const [name, text] of Object.entries(SCRIPTS)) fs.writeFileSync(path.join(dir, name), text);
  const anchors = {};
  for (const [name, packages] of Object.entries(PACKAGES)) {
    log(`installing ${packages.join(' ')} into ${dir}`);
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...packages], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const version = installedVersion(dir, packages[0]);
    if (r.status === 0 && version) {
      anchors[name] = { version: `${packages[0]} ${version}`, script: (file) => path.join(dir, file) };
    } else {
      const why = (r.error?.message ?? `${r.stderr ?? ''}`.trim().split('\n').pop()) || `exit ${r.status}`;
      anchors[name] = { error: `npm install ${packages.join(' ')} failed: ${why}` };
    }
  }
  return anchors;
}

function installedVersion(dir, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
