/**
 * `bn export`: the ONNX model and the SQL query compute what `bn normalize --stats S` writes.
 * Expected values are bn's own output (inference mode, and a whole-input training normalize for
 * --exact); the model runs in onnxruntime-node, the query in DuckDB (@duckdb/node-api) and in the
 * sqlite3 program where it is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/exact.js';
import { bnInProcess, bnProcess, csvRows, expectBnError, bnThrows, expectOneLineError } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-export-'));
const rand = seededRandom(18);
const FEATURES = ['offset', 'small', 'gappy'];

/** An offset column (where the mean's rounding shows), a small one, one with gaps, and text around them. */
function dataset(rows: number): string {
  const lines = ['id,offset,small,name,gappy'];
  for (let i = 0; i < rows; i++) {
    const offset = (1e6 + (rand() - 0.5) * 10).toFixed(5);
    const small = (rand() * 1e-3).toPrecision(6);
    const gappy = i % 5 === 0 ? '' : (rand() * 100 - 50).toFixed(3);
    lines.push(`r${i},${offset},${small},n ${i},${gappy}`);
  }
  return `${lines.join('\n')}\n`;
}

const train = path.join(dir, 'train.csv');
const held = path.join(dir, 'held.csv');
const running = path.join(dir, 'running.json');
const whole = path.join(dir, 'whole.json');
writeFileSync(train, dataset(1500));
writeFileSync(held, dataset(400));

/** A CSV of bn's output as rows of cells (no quoting in these files). */
async function bn(args: string[]): Promise<string[][]> {
  const result = await bnInProcess(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return csvRows(result.stdout);
}

interface Agreement {
  cells: number;
  bitEqual: number;
  maxRelative: number;
}

/**
 * Compare computed feature values with bn's output rows (header first): missing cells must be
 * missing (NaN or NULL), the others within 1e-12 relative; how many are bit-equal is counted.
 */
function agreement(expected: string[][], actual: (row: number, feature: string) => number | null): Agreement {
  const header = expected[0]!;
  const result: Agreement = { cells: 0, bitEqual: 0, maxRelative: 0 };
  expected.slice(1).forEach((cells, i) => {
    for (const name of FEATURES) {
      const text = cells[header.indexOf(name)]!;
      const y = actual(i, name);
      if (text === '') {
        expect(y === null || Number.isNaN(y), `row ${i} ${name}: missing`).toBe(true);
        continue;
      }
      const want = Number(text);
      result.cells++;
      if (Object.is(y, want)) result.bitEqual++;
      result.maxRelative = Math.max(result.maxRelative, Math.abs((y ?? Number.NaN) - want) / Math.abs(want));
    }
  });
  // The tolerance of the task, then NaN (a wrong or missing value) fails it.
  expect(result.maxRelative).toBeLessThanOrEqual(1e-12);
  return result;
}

/** The feature columns of a CSV file's rows as one [N, F] row-major array, NaN for missing cells. */
function featureMatrix(file: string, features: readonly string[]): Float64Array {
  const rows = csvRows(readFileSync(file, 'utf8'));
  const header = rows[0]!;
  const out = new Float64Array((rows.length - 1) * features.length);
  rows.slice(1).forEach((cells, i) =>
    features.forEach((name, f) => {
      const text = cells[header.indexOf(name)]!;
      out[i * features.length + f] = text === '' ? Number.NaN : Number(text);
    }),
  );
  return out;
}

/** Export `exportArgs` (a stats file and flags) as a float64 model, run it on `rowsFile`, compare with bn's `expected` rows. */
async function onnxAgreement(exportArgs: string[], rowsFile: string, expected: string[][]): Promise<Agreement> {
  const model = path.join(dir, `model-${++models}.onnx`);
  expect((await bnInProcess(['export', ...exportArgs, '--to', 'onnx', '-o', model])).code).toBe(0);
  const Y = await runOnnx(model, featureMatrix(rowsFile, FEATURES), FEATURES.length);
  expect(Y.type).toBe('float64');
  const data = Y.data as Float64Array;
  return agreement(expected, (i, name) => data[i * FEATURES.length + FEATURES.indexOf(name)]!);
}
let models = 0;

async function runOnnx(model: string, input: Float64Array | Float32Array, width: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(model);
  const type = input instanceof Float64Array ? 'float64' : 'float32';
  const { Y } = await session.run({ X: new ort.Tensor(type, input, [input.length / width, width]) });
  return Y!;
}

/** Table `held` from a CSV file (`text`: columns read as text, so they pass through as they are), then `query` on it. */
async function duckdbRows(csvFile: string, query: string, text = ['id', 'name']): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const types = text.length === 0 ? '' : `, types = {${text.map((name) => `'${name}': 'VARCHAR'`).join(', ')}}`;
  await connection.run(`CREATE TABLE held AS SELECT * FROM read_csv('${csvFile}', header = true${types})`);
  const reader = await connection.runAndReadAll(query);
  const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
  connection.closeSync();
  instance.closeSync();
  return rows;
}

const report: Record<string, Agreement> = {};
let inference: string[][];
let training: string[][];

beforeAll(async () => {
  await bn(['normalize', train, '-b', '64', '--momentum', '0.1', '--gamma', 'offset=2,small=0.5,gappy=1.5', '--beta', 'offset=1,small=-1,gappy=0.25', '--save-stats', running, '-o', path.join(dir, 'fit.csv')]);
  inference = await bn(['normalize', held, '--stats', running]);
  training = await bn(['normalize', train, '--save-stats', whole]);
});

describe('bn export --to onnx', () => {
  it('float64: onnxruntime on held-out rows gives bn normalize --stats S (NaN stays NaN)', async () => {
    report.onnx = await onnxAgreement([running], held, inference);
    expect(report.onnx.bitEqual).toBe(report.onnx.cells);
  });

  it('--exact: onnxruntime on the training rows gives the whole-input training normalize (TwoSum with the low part of the mean)', async () => {
    report.onnxExact = await onnxAgreement([whole, '--exact'], train, training);
    expect(report.onnxExact.bitEqual).toBe(report.onnxExact.cells);
  });

  it('a file of the sklearn preset: its dataset statistics without --exact, StandardScaler\'s transform', async () => {
    const sklearn = path.join(dir, 'sklearn.json');
    const expected = await bn(['normalize', train, '--preset', 'sklearn', '--save-stats', sklearn]);
    const result = await onnxAgreement([sklearn], train, expected);
    expect(result.bitEqual).toBe(result.cells);
  });

  it('--gamma and --beta override the file as in normalize --stats', async () => {
    const expected = await bn(['normalize', held, '--stats', running, '--gamma', 'small=3', '--beta', '0.5']);
    const result = await onnxAgreement([running, '--gamma', 'small=3', '--beta', '0.5'], held, expected);
    expect(result.bitEqual).toBe(result.cells);
  });

  it('--float32: a float model, within float32 rounding of bn', async () => {
    const model = path.join(dir, 'float32.onnx');
    expect((await bnInProcess(['export', running, '--to', 'onnx', '--float32', '-o', model])).code).toBe(0);
    // The offset column is 1e6 + noise: in float32 its values keep 0.06 of their 10 units, so only the others.
    const features = ['small', 'gappy'];
    const Y = await runOnnx(model, Float32Array.from(featureMatrix(held, FEATURES)), FEATURES.length);
    expect(Y.type).toBe('float32');
    const data = Y.data as Float32Array;
    const header = inference[0]!;
    inference.slice(1).forEach((cells, i) => {
      for (const name of features) {
        const text = cells[header.indexOf(name)]!;
        const y = data[i * FEATURES.length + FEATURES.indexOf(name)]!;
        if (text === '') expect(Number.isNaN(y)).toBe(true);
        // |y| can be near 0 where x is near the mean: relative to the scale of the output instead.
        else expect(Math.abs(y - Number(text))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(Number(text))));
      }
    });
  });

  it('the README example runs and prints Y', async () => {
    const model = path.join(dir, 'bn.onnx');
    expect((await bnInProcess(['export', running, '--to', 'onnx', '-o', model])).code).toBe(0);
    const readme = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /<!-- onnxruntime example -->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'the README has the onnxruntime example').toBeDefined();
    expect(example!.trimEnd().split('\n')).toHaveLength(5);
    const script = path.join(dir, 'example.mjs');
    // Run from the repository, where onnxruntime-node is installed; the model is bn.onnx in the working folder.
    writeFileSync(script, example!.replace("'onnxruntime-node'", JSON.stringify(import.meta.resolve('onnxruntime-node'))));
    const result = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Float64Array\(3\)/);
  });
});

describe('bn export --to sql', () => {
  it('DuckDB on a table of held-out rows: every column in order, features as bn normalize --stats S, NULL stays NULL', async () => {
    const query = (await bnInProcess(['export', running, '--to', 'sql', '--table', 'held'])).stdout;
    const rows = await duckdbRows(held, query);
    expect(Object.keys(rows[0]!)).toEqual(inference[0]);
    // The text columns pass through as they were.
    rows.forEach((row, i) => {
      expect(row.id).toBe(inference[i + 1]![0]);
      expect(row.name).toBe(inference[i + 1]![3]);
    });
    expect(rows.filter((row) => row.gappy === null)).toHaveLength(80);
    report.duckdb = agreement(inference, (i, name) => rows[i]![name] as number | null);
    expect(report.duckdb.bitEqual).toBe(report.duckdb.cells);
  });

  it('--exact, with --columns: DuckDB on the training rows gives the whole-input training normalize', async () => {
    const query = (await bnInProcess(['export', whole, '--to', 'sql', '--exact', '--table', 'held', '--columns', 'id,offset,small,name,gappy'])).stdout;
    const rows = await duckdbRows(train, query);
    report.duckdbExact = agreement(training, (i, name) => rows[i]![name] as number | null);
    expect(report.duckdbExact.bitEqual).toBe(report.duckdbExact.cells);
  });

  it('--columns reads a CSV header line: a name with a comma or quotes in double quotes; a name given twice is bad usage', async () => {
    const file = path.join(dir, 'comma.csv');
    writeFileSync(file, 'id,"a,b","say ""hi""",c\n1,2,5,3\n2,4,6,7\n3,5,8,1\n');
    const stats = path.join(dir, 'comma.json');
    expect((await bnInProcess(['normalize', file, '-s', '"a,b","say ""hi""",c', '--save-stats', stats, '-o', path.join(dir, 'comma-out.csv')])).code).toBe(0);
    const header = readFileSync(file, 'utf8').split('\n')[0]!;
    const r = await bnInProcess(['export', stats, '--to', 'sql', '--table', 'held', '--dialect', 'sqlite', '--columns', header]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('  "id",\n');
    expect(r.stdout).toContain(' AS "a,b",\n');
    expect(r.stdout).toContain(' AS "say ""hi""",\n');
    const twice = await bnInProcess(['export', stats, '--to', 'sql', '--table', 'held', '--dialect', 'sqlite', '--columns', 'id,c,id']);
    expect(twice.code).toBe(2);
    expectOneLineError(twice.stderr, /--columns.*the column "id" is named twice/);
    const open = await bnInProcess(['export', stats, '--to', 'sql', '--table', 'held', '--dialect', 'sqlite', '--columns', 'id,"a,b']);
    expect(open.code).toBe(2);
    expectOneLineError(open.stderr, /--columns.*unclosed quote/);
    const after = await bnInProcess(['export', stats, '--to', 'sql', '--table', 'held', '--dialect', 'sqlite', '--columns', 'id,"a,b"x,c']);
    expect(after.code).toBe(2);
    expectOneLineError(after.stderr, /--columns.*text after the closing quote of "a,b": "x"/);
  });

  it('names that need quoting (a keyword, spaces, double quotes, capitals) run in DuckDB as they are', async () => {
    const odd = path.join(dir, 'odd.csv');
    writeFileSync(odd, 'id,select,"a ""b"" c",Price\nr1,1.5,10,3\nr2,2.5,,4\nr3,4,30,8\n');
    const stats = path.join(dir, 'odd.json');
    await bn(['normalize', odd, '--save-stats', stats]);
    const expected = await bn(['normalize', odd, '--stats', stats]);
    const query = (await bnInProcess(['export', stats, '--to', 'sql', '--table', 'my table'])).stdout;
    const rows = await duckdbRows(odd, query.replace('FROM "my table"', 'FROM held'), ['id']);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'select', 'a "b" c', 'Price']);
    // bn writes each double's shortest round-trip text, as String does: equal text, equal doubles.
    const cells = rows.map((row) => Object.values(row).map((v) => (v === null ? '' : String(v))));
    expect(cells).toEqual(expected.slice(1));
  });

  const sqlite = spawnSync('sqlite3', ['--version']).status === 0;
  it.skipIf(!sqlite)('sqlite3 on a table of held-out rows: the same, to 1e-12', async () => {
    const query = (await bnInProcess(['export', running, '--to', 'sql', '--dialect', 'sqlite', '--table', 'held', '--columns', 'id,offset,small,name,gappy'])).stdout;
    const rows = csvRows(readFileSync(held, 'utf8')).slice(1);
    const literal = (text: string) => (text === '' ? 'NULL' : text);
    const inserts = rows.map((c) => `('${c[0]}', ${literal(c[1]!)}, ${literal(c[2]!)}, '${c[3]}', ${literal(c[4]!)})`);
    // 17 significant digits ('!': all of them) tell every double apart; NULL as the empty cell.
    const shown = FEATURES.map((n) => `CASE WHEN "${n}" IS NULL THEN '' ELSE printf('%!.17g', "${n}") END`).join(', ');
    const script = [
      'CREATE TABLE held (id TEXT, offset REAL, small REAL, name TEXT, gappy REAL);',
      `INSERT INTO held VALUES ${inserts.join(',\n')};`,
      `SELECT ${shown} FROM (${query.trimEnd().replace(/;$/, '')});`,
    ].join('\n');
    const result = spawnSync('sqlite3', ['-csv', ':memory:'], { input: script, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const out = csvRows(result.stdout);
    report.sqlite = agreement(inference, (i, name) => {
      const text = out[i]![FEATURES.indexOf(name)]!;
      return text === '' ? null : Number(text);
    });
  });
});

describe('a feature of tiny values (below 2^−900): bn works in units of a power of two, and so do the exports', () => {
  it('ONNX and SQL (DuckDB) give bn normalize --stats --exact bit for bit, and the model and query say the prescale', async () => {
    const file = path.join(dir, 'tiny.csv');
    const lines = ['tiny,ordinary'];
    for (let i = 0; i < 300; i++) lines.push(`${((1 + rand()) * 1e-300).toPrecision(17)},${(rand() * 10).toFixed(4)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const stats = path.join(dir, 'tiny.json');
    const trained = await bn(['normalize', file, '-e', '0', '--save-stats', stats]);
    const expected = await bn(['normalize', file, '--stats', stats, '--exact']);
    expect(expected).toEqual(trained);
    const want = expected.slice(1).map((cells) => cells.map(Number));

    const model = path.join(dir, 'tiny.onnx');
    expect((await bnInProcess(['export', stats, '--exact', '--to', 'onnx', '-o', model])).code).toBe(0);
    const input = Float64Array.from(csvRows(readFileSync(file, 'utf8')).slice(1).flat().map(Number));
    const Y = (await runOnnx(model, input, 2)).data as Float64Array;
    want.forEach((row, i) => row.forEach((y, f) => expect(Y[i * 2 + f], `ONNX row ${i} feature ${f}`).toBe(y)));

    // float32 cannot hold that power of two (nor the values): refused, naming the feature.
    const f32 = await bnInProcess(['export', stats, '--exact', '--to', 'onnx', '--float32', '-o', path.join(dir, 'tiny32.onnx')]);
    expect(f32.code).toBe(2);
    expectOneLineError(f32.stderr, /^bn: --float32: the prescale of feature "tiny" \(\S+\) is beyond float32 range/);
    expect(existsSync(path.join(dir, 'tiny32.onnx'))).toBe(false);
    const query = (await bnInProcess(['export', stats, '--exact', '--to', 'sql', '--table', 'held'])).stdout;
    expect(query).toMatch(/\("tiny" \* CAST\('[0-9.e+]+' AS DOUBLE\)\)/);
    expect(query).not.toMatch(/"ordinary" \*/);
    const rows = await duckdbRows(file, query, []);
    want.forEach((row, i) => {
      expect(rows[i]!.tiny, `SQL row ${i}`).toBe(row[0]);
      expect(rows[i]!.ordinary, `SQL row ${i}`).toBe(row[1]);
    });
  });
});

describe('bn export: errors', () => {
  const torch = path.join(dir, 'torch.json');
  writeFileSync(torch, JSON.stringify({ weight: [1], bias: [0], running_mean: [0.5], running_var: [2] }));
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{"format": "bn-stats", "version": 2');

  it.each([
    ['an invalid stats file', 1, [broken, '--to', 'sql', '--table', 't'], /broken\.json: invalid stats file: not valid JSON/],
    ['a PyTorch file with --exact', 2, [torch, '--to', 'onnx', '--exact', '-o', path.join(dir, 'never.onnx')], /--exact needs a bn stats file/],
    ['an unknown --to', 2, [running, '--to', 'pmml'], /argument 'pmml' is invalid\. Allowed choices are onnx, sql/],
    ['no --to', 2, [running], /required option '--to <target>' not specified/],
    ['--to sql without --table', 2, [running, '--to', 'sql'], /--to sql needs --table NAME/],
    ['postgres without --columns', 2, [running, '--to', 'sql', '--table', 't', '--dialect', 'postgres'], /--dialect postgres needs --columns LIST/],
    ['--float32 with sql', 2, [running, '--to', 'sql', '--table', 't', '--float32'], /--float32 applies to --to onnx/],
    ['--table with onnx', 2, [running, '--to', 'onnx', '--table', 't'], /--table applies to --to sql/],
    ['a --gamma naming no feature', 2, [running, '--to', 'onnx', '--gamma', 'offset=2,nope=1'], /--gamma: no feature named \"nope\"/],
    ['a feature missing from --columns', 2, [running, '--to', 'sql', '--table', 't', '--columns', 'id,offset'], /"small", "gappy" are not among the columns given/],
  ])('%s: exit %i, one line', async (_, exit, args, message) => {
    const result = await bnInProcess(['export', ...(args as string[])]);
    expect(result.code).toBe(exit);
    expect(result.stdout).toBe('');
    expectOneLineError(result.stderr, message as RegExp);
  });

  it('the executable: a message on one line, and exit 1 for a bad stats file', async () => {
    const result = await bnProcess(['export', broken, '--to', 'onnx']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectOneLineError(result.stderr, /invalid stats file/);
  });

  it('the stats file of an empty shard (no features): exit 1', async () => {
    const header = path.join(dir, 'header-only.csv');
    writeFileSync(header, 'id,x\n');
    const empty = path.join(dir, 'empty.json');
    expect((await bnInProcess(['stats', header, '--save-stats', empty, '--to', 'json'])).code).toBe(0);
    const result = await bnInProcess(['export', empty, '--to', 'sql', '--table', 't']);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /the stats file has no features: it is that of an empty shard/);
  });

  it('the error codes', async () => {
    await expectBnError(bnThrows(['export', broken, '--to', 'onnx']), { code: 'BN_BAD_STATS_FILE', exit: 1, location: { file: broken } });
    await expectBnError(bnThrows(['export', torch, '--to', 'onnx', '--exact']), { code: 'BN_USAGE', exit: 2, location: {} });
    await expectBnError(bnThrows(['export', running, '--to', 'sql']), { code: 'BN_USAGE', exit: 2, location: {} });
  });

  it('ONNX to a terminal is refused (binary); -o on an error leaves no file and an existing one untouched', async () => {
    const tty = await bnInProcess(['export', running, '--to', 'onnx'], '', { stdoutTTY: true });
    expect(tty.code).toBe(2);
    expectOneLineError(tty.stderr, /an ONNX model is binary: write it with -o FILE/);
    const target = path.join(dir, 'kept.sql');
    writeFileSync(target, 'before\n');
    const failed = await bnInProcess(['export', running, '--to', 'sql', '--table', 't', '--columns', 'id', '-o', target]);
    expect(failed.code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('before\n');
    expect(existsSync(path.join(dir, 'never.onnx'))).toBe(false);
  });
});

describe('agreement', () => {
  it('is reported', () => {
    // Visible with --reporter verbose; kept so a run shows what was measured.
    console.log(JSON.stringify(report));
  });
});
