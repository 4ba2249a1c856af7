/**
 * Parquet, against another implementation: DuckDB (its Node API, a devDependency, offline) writes
 * a table as Parquet and as CSV; bn's statistics of the two are the same bits (bn's statistics are
 * exact, so any difference in the values read would show). bn's Parquet output, read back by
 * DuckDB, has the rows, column types and values of bn's CSV output.
 *
 * The CSV carries each value as the double bn reads from Parquet: a FLOAT column as its float32
 * value widened to a double (`f32::DOUBLE`: 0.3333333432674408, not the float32's own shortest
 * text 0.33333334), an integer and a decimal as their exact digits (bn rounds both to the nearest
 * double, as it rounds CSV text).
 */
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Field, Float64, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bnInProcess, bnProcess, csvRows } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-parquet-'));
const at = (name: string) => path.join(dir, name);
let duck: DuckDBConnection;

/**
 * 5000 rows, row groups of 2048 (DuckDB's granularity): three groups. Every numeric type bn takes,
 * nulls, NaN-free floats, integers beyond 2^53, a DECIMAL(38,10) beyond 2^53 unscaled, and a text
 * column of digits ("007…") that stays text because its type says so.
 */
const TABLE = `
  SELECT
    (i * 37 % 1000 - 500)::INTEGER AS i32,
    (i * 1000000007 + 9007199254740993)::BIGINT AS i64,
    (i / 3)::FLOAT AS f32,
    (i / 7 - 300)::DOUBLE AS f64,
    (i * 1.2345)::DECIMAL(18,4) AS dec,
    (123456789012345678 + i / 1024)::DECIMAL(38,10) AS big,
    lpad((i % 97)::VARCHAR, 3, '0') AS code,
    CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.5 END AS sparse,
    (i % 11)::SMALLINT AS small
  FROM range(0, 5000) t(i)`;

async function stats(args: string[], stdin?: Buffer) {
  const r = await bnInProcess(['stats', '--to', 'json', ...args], stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`CREATE TABLE t AS ${TABLE}`);
  await duck.run(`COPY t TO '${at('t.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  await duck.run(`COPY (SELECT * REPLACE (f32::DOUBLE AS f32) FROM t) TO '${at('t.csv')}' (FORMAT csv, HEADER)`);
  await duck.run(`COPY (SELECT * FROM t LIMIT 0) TO '${at('empty.parquet')}' (FORMAT parquet)`);
  await duck.run(`COPY (SELECT * FROM t LIMIT 0) TO '${at('empty.csv')}' (FORMAT csv, HEADER)`);
}, 60_000);

afterAll(() => duck?.closeSync());

describe('Parquet written by DuckDB', () => {
  it('has several row groups (the reader goes from one to the next)', async () => {
    const groups = await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata('${at('t.parquet')}')`);
    expect(groups.getRowObjectsJS()[0]!.n).toBeGreaterThan(1);
  });

  it('gives the statistics of the same data as CSV, bit for bit: int32, int64, float, double, decimals, nulls; text stays text', async () => {
    const fromParquet = await stats([at('t.parquet')]);
    expect(fromParquet.features).toEqual(['i32', 'i64', 'f32', 'f64', 'dec', 'big', 'sparse', 'small']);
    expect(fromParquet.count[fromParquet.features.indexOf('sparse')]).toBe(4000);
    expect(fromParquet).toEqual(await stats([at('t.csv'), '-s', '!code']));
  });

  // SPEC §2: a compression suffix is stripped before the format is read from the extension; a
  // compressed Parquet file has no byte ranges, so it is spooled and read whole.
  it('t.parquet.gz: the statistics of t.parquet', async () => {
    writeFileSync(at('t.parquet.gz'), gzipSync(readFileSync(at('t.parquet'))));
    expect(await stats([at('t.parquet.gz')])).toEqual(await stats([at('t.parquet')]));
  });

  it('gives the same bits from an uncompressed copy (values read in place, in reused memory: src/io/parquet-memory.ts)', async () => {
    await duck.run(`COPY t TO '${at('plain.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION 'uncompressed')`);
    expect(await stats([at('plain.parquet')])).toEqual(await stats([at('t.parquet')]));
  });

  // hyparquet reads only Snappy itself: Python Polars writes ZSTD by default, pyarrow and Spark
  // write any of these when asked (DuckDB's 'lz4' is LZ4_RAW).
  it.each(['zstd', 'gzip', 'brotli', 'lz4_raw'])('compressed with %s: the statistics of the Snappy file, also by row-group workers, and the same normalized text', async (codec) => {
    const file = at(`t-${codec}.parquet`);
    await duck.run(`COPY t TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION '${codec}')`);
    const codecs = (await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRowObjectsJS();
    expect(codecs).toEqual([{ compression: codec.toUpperCase() }]);
    const snappy = await stats([at('t.parquet')]);
    expect(await stats([file])).toEqual(snappy);
    expect(await stats([file, '-j', '2'])).toEqual(snappy);
    const normalized = await bnInProcess(['normalize', file, '--to', 'csv']);
    expect(normalized).toEqual(await bnInProcess(['normalize', at('t.parquet'), '--to', 'csv']));
  });

  it('gives the same bits whether worker threads read row groups or not (-j 1, -j 2, -j 3)', async () => {
    const alone = await stats([at('t.parquet')]);
    expect(await stats([at('t.parquet'), '-j', '1'])).toEqual(alone);
    expect(await stats([at('t.parquet'), '-j', '2'])).toEqual(alone);
    expect(await stats([at('t.parquet'), '-j', '3'])).toEqual(alone);
  });

  it('bin/bn as installed (its bundle) reads row groups in worker threads with -j 2, and a pass that cannot use them ignores them', async () => {
    const alone = await stats([at('t.parquet')]);
    const r = await bnProcess(['stats', '--to', 'json', at('t.parquet'), '-j', '2']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual(alone);
    // normalize's passes read with -b or write rows: no worker helps, none may fail the run.
    const one = await bnProcess(['normalize', at('t.parquet'), '-s', '!code', '-j', '1', '--to', 'csv']);
    const two = await bnProcess(['normalize', at('t.parquet'), '-s', '!code', '-j', '2', '--to', 'csv']);
    expect(two).toMatchObject({ code: 0, stderr: '' });
    expect(two.stdout).toBe(one.stdout);
  });

  it('gives the same batches as CSV, batches cut across row groups (-b 1500)', async () => {
    expect(await stats([at('t.parquet'), '-b', '1500'])).toEqual(await stats([at('t.csv'), '-s', '!code', '-b', '1500']));
  });

  it('on standard input (cat x.parquet | bn stats): found by its magic bytes, spooled, the same statistics', async () => {
    expect(await stats(['-'], readFileSync(at('t.parquet')))).toEqual(await stats([at('t.parquet')]));
    expect(await stats(['-', '-j', '2'], readFileSync(at('t.parquet')))).toEqual(await stats([at('t.parquet')]));
  });

  it('--select takes a text column of digits as a feature, as text is parsed', async () => {
    const both = await stats([at('t.parquet'), '-s', 'code,i32']);
    expect(both.features).toEqual(['i32', 'code']);
    expect(both).toEqual(await stats([at('t.csv'), '-s', 'code,i32']));
  });

  it('with no rows: what a CSV with only its header gives', async () => {
    const parquet = await bnInProcess(['stats', at('empty.parquet')]);
    const csv = await bnInProcess(['stats', at('empty.csv')]);
    expect(parquet.code).toBe(csv.code);
    expect(parquet.stderr).toBe(csv.stderr.replace('empty.csv', 'empty.parquet'));
  });
});

/** Rows of DuckDB's reading of a file, every value as text (DuckDB's own rendering) and the column types. */
async function duckRead(file: string): Promise<{ types: Record<string, string>; rows: Record<string, string | null>[] }> {
  const described = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  const types = Object.fromEntries(described.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]));
  const reader = await duck.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
  const rows = reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));
  return { types, rows };
}

describe("bn's Parquet output, read by DuckDB", () => {
  it.each([
    ['training, from Parquet', ['normalize', '-s', '!dec,i64,small']],
    ['training -b 1000 --precision 6', ['normalize', '-b', '1000', '--precision', '6']],
  ])('%s: the rows, types and values of the CSV output', async (_, args) => {
    const out = at(`out-${args.length}.parquet`);
    const written = await bnInProcess([...args, at('t.parquet'), '-o', out]);
    expect(written.stderr).toBe('');
    const csv = await bnInProcess([...args, at('t.parquet'), '--to', 'csv']);
    const [header, ...records] = csvRows(csv.stdout);
    const { types, rows } = await duckRead(out);
    expect(Object.keys(types)).toEqual(header);
    expect(rows).toHaveLength(records.length);
    // Features are doubles; pass-through columns keep their type (text stays VARCHAR, a decimal its precision and scale).
    const features = new Set(JSON.parse((await bnInProcess(['stats', '--to', 'json', at('t.parquet'), ...args.slice(1).filter((a, k, all) => a === '-s' || all[k - 1] === '-s')])).stdout).features);
    const original = (await duckRead(at('t.parquet'))).types;
    for (const name of header!) expect(types[name], name).toBe(features.has(name) ? 'DOUBLE' : original[name]);
    records.forEach((record, i) => {
      header!.forEach((name, j) => {
        const cell = record[j]!;
        const value = rows[i]![name];
        if (cell === '') expect(value, `${i} ${name}`).toBeNull();
        else if (types[name] === 'DOUBLE') expect(Number(value), `${i} ${name}`).toBe(Number(cell));
        else expect(value, `${i} ${name}`).toBe(cell);
      });
    });
  });

  it('from CSV input: features are doubles, other columns text, as read', async () => {
    const out = at('from-csv.parquet');
    expect((await bnInProcess(['normalize', at('t.csv'), '-s', 'f64', '-o', out])).stderr).toBe('');
    const { types, rows } = await duckRead(out);
    expect(types.f64).toBe('DOUBLE');
    expect(types.code).toBe('VARCHAR');
    expect(types.i32).toBe('VARCHAR');
    expect(rows[1]!.code).toBe('001');
  });

  it('JSON output from Parquet: integers and decimals are JSON numbers, digit for digit (beyond 2^53 too); text stays text; null stays null', async () => {
    const r = await bnInProcess(['normalize', at('t.parquet'), '-s', 'f64', '--to', 'ndjson']);
    expect(r.stderr).toBe('');
    const [row0, row1] = r.stdout.split('\n');
    // Row 1: i64 = 1000000007 + 9007199254740993 (beyond 2^53); big as DuckDB renders it (more than 17 digits).
    const big = String((await duck.runAndReadAll('SELECT CAST(big AS VARCHAR) AS b FROM t LIMIT 1 OFFSET 1')).getRowObjectsJS()[0]!.b);
    expect(big.replace('.', '').length).toBeGreaterThan(17);
    const record = JSON.parse(row1!.replace(/"big":([0-9.]+)/, '"big":"$1"').replace(/"i64":(\d+)/, '"i64":"$1"'));
    expect(record).toMatchObject({ i32: -463, i64: '9007200254741000', f32: 0.3333333432674408, dec: 1.2345, big, code: '001', sparse: 0.5, small: 1 });
    expect(row1).toContain(`"big":${big},`);
    expect(row0).toContain('"sparse":null');
  });

  it('--to parquet to standard output is a Parquet file', async () => {
    const r = await bnInProcess(['normalize', at('t.parquet'), '--to', 'parquet']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('PAR1')).toBe(true);
  });
});

// The CSV bytes writer writes a columnar record's cells itself (src/pipeline/batch-writers.ts);
// the row writer through csv-stringify (BN_NO_FAST=1) is the reference it must match byte for byte.
describe('CSV/TSV output from Parquet: the bytes of the row writer', () => {
  const GENERAL = { BN_NO_FAST: '1' };
  const same = async (args: string[]) => {
    const fast = await bnInProcess(args);
    expect(fast).toEqual(await bnInProcess(args, '', { env: GENERAL }));
    return fast;
  };

  beforeAll(async () => {
    // Text that must be quoted (the delimiter, a quote, a line break, a CR, a tab for TSV), non-ASCII text (a
    // leading byte order mark among it), empty text, nulls in features and in other columns, booleans, dates,
    // decimals, integers beyond 2^53, a NaN double. Text columns unique (PLAIN) and of few values (by dictionary).
    await duck.run(`COPY (
      SELECT
        i::INTEGER AS id,
        CASE i % 7 WHEN 0 THEN 'plain' WHEN 1 THEN 'a,b' WHEN 2 THEN 'say "hi"' WHEN 3 THEN 'two' || chr(10) || 'lines'
          WHEN 4 THEN NULL WHEN 5 THEN 'tab' || chr(9) || 'here' ELSE 'semi;colon' END AS txt,
        CASE WHEN i % 4 = 0 THEN NULL ELSE i / 3 END::DOUBLE AS x,
        (i % 2 = 0) AS flag,
        DATE '2024-01-01' + i::INTEGER AS day,
        (i * 1.25)::DECIMAL(10,2) AS amount,
        (i * 1000000007 + 9007199254740993)::BIGINT AS big,
        CASE WHEN i % 9 = 0 THEN 'NaN'::DOUBLE ELSE i * 0.1 END AS y,
        CASE i % 3 WHEN 0 THEN 'naïve' WHEN 1 THEN 'ça, va "bien"' ELSE '' END AS intl,
        CASE i % 5 WHEN 0 THEN chr(65279) || 'bom' WHEN 1 THEN 'cr' || chr(13) || 'here' WHEN 2 THEN '' WHEN 3 THEN 'x' || i::VARCHAR ELSE '"' END AS odd,
        md5(i::VARCHAR) || CASE WHEN i % 11 = 0 THEN ', "q"' ELSE '' END AS uniq
      FROM range(0, 300) t(i)) TO '${at('mixed.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 128)`);
    await duck.run(`COPY (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::DOUBLE AS only FROM range(0, 10) t(i)) TO '${at('one.parquet')}' (FORMAT parquet)`);
  });

  it.each([
    ['normalize --to csv', ['--to', 'csv']],
    ['normalize --to tsv', ['--to', 'tsv']],
    ['normalize --to csv --output-delimiter ";"', ['--to', 'csv', '--output-delimiter', ';']],
    ['normalize --to csv --precision 4', ['--to', 'csv', '--precision', '4']],
    ['normalize --to csv -b 50 (batches across row groups)', ['--to', 'csv', '-b', '50']],
    ['normalize --to csv -s id,amount (a decimal as a feature; x, y passed through)', ['--to', 'csv', '-s', 'id,amount']],
    ['normalize --to csv --no-output-header', ['--to', 'csv', '--no-output-header']],
  ])('%s', async (_name, flags) => {
    const r = await same(['normalize', at('mixed.parquet'), ...flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(300);
  });

  it('inference (--stats), and the same from t.parquet', async () => {
    const saved = at('mixed-stats.json');
    expect((await bnInProcess(['stats', at('mixed.parquet'), '--save-stats', saved])).code).toBe(0);
    expect((await same(['normalize', at('mixed.parquet'), '--stats', saved, '--to', 'csv'])).code).toBe(0);
    expect((await same(['normalize', at('t.parquet'), '-o', at('t-out.csv')])).code).toBe(0);
  });

  // SPEC §4: every pass-through cell preserved exactly: an integer beyond 2^53 and a decimal digit for digit.
  it('pass-through cells as DuckDB reads them: a BIGINT beyond 2^53 and a DECIMAL digit for digit, a date, a boolean', async () => {
    const r = await bnInProcess(['normalize', at('mixed.parquet'), '--to', 'csv', '-s', 'x']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...records] = csvRows(r.stdout.replace(/"[^"]*"/g, 'q'));
    const column = (name: string) => records.filter((cells) => cells.length === header!.length).map((cells) => cells[header!.indexOf(name)]);
    const duckText = async (expr: string) => (await duck.runAndReadAll(`SELECT (${expr})::VARCHAR AS v FROM read_parquet('${at('mixed.parquet')}') ORDER BY id LIMIT 5`)).getRowObjectsJS().map((row) => row.v);
    expect(column('big').slice(0, 5)).toEqual(await duckText('big'));
    expect(column('amount').slice(0, 5)).toEqual(await duckText('amount'));
    expect(column('flag').slice(0, 5)).toEqual(await duckText('flag'));
    expect(column('big')[1]).toBe('9007200254741000');
  });

  it('a one-column table: a missing value is written "" (an empty line would be skipped by readers)', async () => {
    const r = await same(['normalize', at('one.parquet'), '--to', 'csv']);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['only', '""', r.stdout.split('\n')[2]]);
    expect(r.stdout.split('\n')[2]).toMatch(/^-?\d/);
  });
});

// A normalize pass reads each row group into memory that earlier groups gave back once their rows
// were written (src/io/buffer-pool.ts): every cell of every group must still be its own.
describe('many row groups, memory reused from one to the next', () => {
  /** bn's normalize of `file` (x the feature) to TSV: every other cell (t, d, h) as DuckDB reads it. */
  async function expectCellsAsDuckDB(file: string, rows: number) {
    const groups = await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM parquet_metadata('${file}') WHERE column_id = 0`);
    expect(groups.getRowObjectsJS()[0]!.n).toBeGreaterThan(3);
    const r = await bnInProcess(['normalize', file, '--to', 'tsv', '-s', 'x']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...records] = csvRows(r.stdout, '\t');
    expect(header).toEqual(['x', 't', 'd', 'h']);
    const expected = (await duck.runAndReadAll(`SELECT t, d, h FROM read_parquet('${file}')`)).getRowObjectsJS();
    expect(records.length).toBe(rows);
    // No tab or line break in the data: a field is quoted only for its quotes.
    const unquoted = (field: string) => (field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field);
    records.forEach(([, t, d, h], i) => {
      const row = expected[i]!;
      expect(unquoted(t!), `row ${i}`).toBe(row.t ?? ''); // a null written as an empty field
      expect(d === '' ? null : Number(d), `row ${i}`).toBe(row.d);
      expect(h, `row ${i}`).toBe(row.h);
    });
  }
  const text = (i: number) => 'ab'.repeat((i * 7) % 23) + i + (i % 17 === 0 ? ', "q"' : '');

  it('DuckDB\'s v1 pages, every cell as DuckDB reads it: text of every length (PLAIN), values by dictionary with nulls, doubles', async () => {
    await duck.run(`COPY (
      SELECT
        i::DOUBLE AS x,
        repeat('ab', (i * 7) % 23) || i::VARCHAR || CASE WHEN i % 17 = 0 THEN ', "q"' ELSE '' END AS t,
        CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 13) * 0.5 END::DOUBLE AS d,
        md5(i::VARCHAR) AS h
      FROM range(0, 20000) t(i)) TO '${at('groups.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 3000)`);
    await expectCellsAsDuckDB(at('groups.parquet'), 20_000);
  });

  it('hyparquet-writer\'s v2 pages, Snappy and uncompressed groups in turn, every cell as DuckDB reads it', async () => {
    const writer = new ParquetWriter({
      writer: fileWriter(at('groups-v2.parquet')),
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'x', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 't', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'd', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'h', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
    });
    for (let g = 0; g < 6; g++) {
      const rows = Array.from({ length: 2000 + 300 * g }, (_, k) => 20_000 * g + k);
      const codec = g % 2 === 0 ? 'SNAPPY' : 'UNCOMPRESSED';
      writer.write({
        columnData: [
          { name: 'x', data: Float64Array.from(rows), codec },
          { name: 't', data: rows.map((i) => (i % 11 === 0 ? null : text(i))), codec },
          { name: 'd', data: rows.map((i) => (i % 5 === 0 ? null : (i % 13) * 0.5)), codec },
          { name: 'h', data: rows.map((i) => `h${i % 40}`), codec },
        ],
        rowGroupSize: rows.length,
        // Pages of 4 KB: a chunk's text of many pages, put together (from views of one buffer in an uncompressed chunk).
        pageSize: 4096,
      });
    }
    writer.finish();
    await expectCellsAsDuckDB(at('groups-v2.parquet'), 6 * 2000 + 300 * 15);
  });
});

describe('files other writers may make', () => {
  it('row groups with different codecs (a codec is a column chunk\'s own): each group read with its own', async () => {
    const write = (file: string, codecs: ('SNAPPY' | 'UNCOMPRESSED')[]) => {
      const writer = new ParquetWriter({ writer: fileWriter(file), schema: [{ name: 'root', num_children: 1 }, { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' }] });
      codecs.forEach((codec, g) => writer.write({ columnData: [{ name: 'x', data: Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? null : (g * 500 + i) / 3)), codec }], rowGroupSize: 500 }));
      writer.finish();
    };
    write(at('codecs.parquet'), ['SNAPPY', 'UNCOMPRESSED', 'SNAPPY']);
    write(at('snappy.parquet'), ['SNAPPY', 'SNAPPY', 'SNAPPY']);
    const codecs = (await duck.runAndReadAll(`SELECT compression FROM parquet_metadata('${at('codecs.parquet')}') ORDER BY row_group_id`)).getRowObjectsJS().map((r) => r.compression);
    expect(codecs).toEqual(['SNAPPY', 'UNCOMPRESSED', 'SNAPPY']);
    expect(await stats([at('codecs.parquet')])).toEqual(await stats([at('snappy.parquet')]));
    const normalized = await bnInProcess(['normalize', at('codecs.parquet'), '--to', 'csv']);
    expect(normalized.code, normalized.stderr).toBe(0);
    expect(normalized.stdout).toBe((await bnInProcess(['normalize', at('snappy.parquet'), '--to', 'csv'])).stdout);
  });

  it('dates, times, timestamps (µs, ns, with a time zone) and binary pass through with every digit and byte (not a JavaScript Date\'s milliseconds, not U+FFFD), and keep their types in Parquet and Arrow output', async () => {
    const file = at('temporal.parquet');
    await duck.run(`COPY (SELECT * FROM (VALUES
      (1.0::DOUBLE, TIMESTAMP '2020-01-01 00:00:00.123456', DATE '1969-07-20', TIME '12:34:56.789012', '\\x00\\xFFa\\x5C'::BLOB, TIMESTAMPTZ '2020-01-01 00:00:00.5+00', TIMESTAMP_NS '1969-12-31 23:59:59.999999999'),
      (2.0, TIMESTAMP '1900-01-01 00:00:00', DATE '2000-02-29', TIME '00:00:00', 'abc'::BLOB, NULL, NULL)) v(x, ts, d, tm, bl, tz, ns)) TO '${file}' (FORMAT parquet)`);
    const r = await bnInProcess(['normalize', file, '--to', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 3).map((line) => line.split(',').slice(1))).toEqual([
      ['ts', 'd', 'tm', 'bl', 'tz', 'ns'],
      ['2020-01-01T00:00:00.123456', '1969-07-20', '12:34:56.789012', '\\x00\\xFFa\\\\', '2020-01-01T00:00:00.500000Z', '1969-12-31T23:59:59.999999999'],
      ['1900-01-01T00:00:00.000000', '2000-02-29', '00:00:00.000000', 'abc', '', ''],
    ]);
    // The same instants as DuckDB reads them (its text has a space for the T and drops trailing zeros).
    const duckTimes = (await duck.runAndReadAll(`SELECT epoch_us(ts)::VARCHAR AS us, epoch_ns(ns)::VARCHAR AS ns FROM read_parquet('${file}') LIMIT 1`)).getRowObjectsJS()[0]!;
    expect(duckTimes).toEqual({ us: '1577836800123456', ns: '-1' });
    // Parquet and Arrow output keep the types: DuckDB reads the same types and the same instants.
    for (const out of ['temporal-out.parquet', 'temporal-out.arrow']) {
      expect((await bnInProcess(['normalize', file, '-o', at(out)])).code).toBe(0);
    }
    const describe = async (f: string) => (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${f}')`)).getRowObjectsJS().map((row) => `${row.column_name}:${row.column_type}`);
    expect(await describe(at('temporal-out.parquet'))).toEqual((await describe(file)).map((t) => (t === 'bl:BLOB' ? 'bl:VARCHAR' : t)));
    const values = `SELECT epoch_us(ts)::VARCHAR a, d::VARCHAR b, tm::VARCHAR c, epoch_us(tz)::VARCHAR e, epoch_ns(ns)::VARCHAR f`;
    expect((await duck.runAndReadAll(`${values} FROM read_parquet('${at('temporal-out.parquet')}')`)).getRowObjectsJS()).toEqual(
      (await duck.runAndReadAll(`${values} FROM read_parquet('${file}')`)).getRowObjectsJS(),
    );
    const arrow = tableFromIPC(readFileSync(at('temporal-out.arrow')));
    expect(arrow.schema.fields.map((f) => String(f.type))).toEqual(['Float64', 'Timestamp<MICROSECOND>', 'Date32<DAY>', 'Time64<MICROSECOND>', 'Utf8', 'Timestamp<MICROSECOND, UTC>', 'Timestamp<NANOSECOND>']);
    expect(arrow.getChild('ns')!.data[0]!.values[0]).toBe(-1n);
    expect(arrow.getChild('tm')!.data[0]!.values[0]).toBe(45_296_789_012n);
    // And back: bn reads its own output to the same text.
    for (const out of ['temporal-out.parquet', 'temporal-out.arrow']) {
      const again = await bnInProcess(['normalize', at(out), '--to', 'csv']);
      expect(again.stdout.split('\n').slice(0, 3).map((line) => line.split(',').slice(1))).toEqual(r.stdout.split('\n').slice(0, 3).map((line) => line.split(',').slice(1)));
    }
  });

  it('a TIME adjusted to UTC (DuckDB\'s TIME WITH TIME ZONE) ends in Z, as a UTC timestamp does, and keeps its type in Parquet output', async () => {
    const file = at('timetz.parquet');
    await duck.run(`COPY (SELECT * FROM (VALUES (1.0::DOUBLE, TIME '12:34:56.789012', TIMETZ '12:34:56.789012+00'), (2.0, TIME '01:02:03', NULL)) v(x, t, tz)) TO '${file}' (FORMAT parquet)`);
    const r = await bnInProcess(['normalize', file, '--to', 'csv']);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout).map((cells) => cells.slice(1))).toEqual([['t', 'tz'], ['12:34:56.789012', '12:34:56.789012Z'], ['01:02:03.000000', '']]);
    const out = at('timetz-out.parquet');
    expect((await bnInProcess(['normalize', file, '-o', out])).code).toBe(0);
    const read = async (f: string) => (await duck.runAndReadAll(`SELECT typeof(t) a, typeof(tz) b, t::VARCHAR c, tz::VARCHAR d FROM read_parquet('${f}')`)).getRowObjectsJS();
    expect(await read(out)).toEqual(await read(file));
    expect((await read(out))[0]).toEqual({ a: 'TIME', b: 'TIME WITH TIME ZONE', c: '12:34:56.789012', d: '12:34:56.789012+00' });
  });

  it('an INTERVAL (which hyparquet refuses to convert) passes through as an ISO 8601 duration; bn stats does not read it', async () => {
    const file = at('interval.parquet');
    await duck.run(`COPY (SELECT i::DOUBLE x, CASE WHEN i = 3 THEN NULL ELSE INTERVAL (i) DAY + INTERVAL (i) MONTH + INTERVAL (i * 1004) MILLISECOND END iv FROM range(5) t(i)) TO '${file}' (FORMAT parquet)`);
    const r = await bnInProcess(['normalize', file, '--to', 'csv']);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout).map((cells) => cells[1])).toEqual(['iv', 'P0M0DT0S', 'P1M1DT1.004S', 'P2M2DT2.008S', '', 'P4M4DT4.016S']);
    expect((await stats([file])).count).toEqual([5]);
  });

  it('a column name given twice is refused as in a CSV header (Parquet and Arrow): every output, and the stats file, needs each name once', async () => {
    const writer = new ParquetWriter({ writer: fileWriter(at('dup.parquet')), schema: [{ name: 'root', num_children: 2 }, { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' }, { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' }] });
    writer.write({ columnData: [{ name: 'x', data: [1, 2, 3] }, { name: 'x', data: [4, 5, 7] }], rowGroupSize: 3 });
    writer.finish();
    const fields = [new Field('x', new Float64()), new Field('x', new Float64())];
    const data = makeData({ type: new Struct(fields), length: 2, nullCount: 0, children: [makeData({ type: new Float64(), length: 2, nullCount: 0, data: new Float64Array([1, 2]) }), makeData({ type: new Float64(), length: 2, nullCount: 0, data: new Float64Array([3, 5]) })] });
    writeFileSync(at('dup.arrow'), tableToIPC(new Table([new RecordBatch(new Schema(fields), data)]), 'file'));
    for (const file of ['dup.parquet', 'dup.arrow']) {
      for (const command of ['stats', 'normalize']) {
        const r = await bnProcess([command, at(file)]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`bn: ${at(file)}: duplicate column name "x" (columns 1 and 2)\n`);
      }
    }
  });

  it('a NaN double is missing: null in JSON (which has no NaN), NaN in CSV, as a feature and passed through', async () => {
    const writer = new ParquetWriter({ writer: fileWriter(at('nan.parquet')), schema: [{ name: 'root', num_children: 2 }, { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' }, { name: 'y', type: 'DOUBLE', repetition_type: 'OPTIONAL' }] });
    writer.write({ columnData: [{ name: 'x', data: [1, 2, Number.NaN, 4] }, { name: 'y', data: [Number.NaN, 2, 3, 4] }], rowGroupSize: 4 });
    writer.finish();
    const json = (args: string[]) => bnInProcess(['normalize', at('nan.parquet'), '--to', 'ndjson', ...args]).then((r) => r.stdout.trim().split('\n').map((line) => JSON.parse(line)));
    expect((await json([]))[0].y).toBeNull();
    expect((await json([]))[2].x).toBeNull();
    expect((await json(['-s', 'x']))[0].y).toBeNull();
    const csv = (await bnInProcess(['normalize', at('nan.parquet'), '--to', 'csv', '-s', 'x'])).stdout.split('\n');
    expect(csv[1]!.split(',')[1]).toBe('NaN');
    expect(csv[3]!.split(',')[0]).toBe('NaN');
    // Parquet and Arrow output: the NaN written back as NaN, as CSV does, a feature's and a passed-through one's.
    for (const out of ['nan-out.parquet', 'nan-out.arrow']) {
      expect((await bnInProcess(['normalize', at('nan.parquet'), '-s', 'x', '-o', at(out)])).code).toBe(0);
      if (out.endsWith('.parquet')) {
        const rows = (await duck.runAndReadAll(`SELECT isnan(x) AS nx, x IS NULL AS zx, isnan(y) AS ny FROM read_parquet('${at(out)}')`)).getRowObjectsJS();
        expect(rows.map((row) => [row.nx, row.zx, row.ny])).toEqual([[false, false, true], [false, false, false], [true, false, false], [false, false, false]]);
      } else {
        const table = tableFromIPC(readFileSync(at(out)));
        expect(Number.isNaN(table.getChild('x')!.get(2))).toBe(true);
        expect(Number.isNaN(table.getChild('y')!.get(0))).toBe(true);
      }
    }
  });

  // SPEC §4: a pass-through cell comes out as it went in; a null and a NaN are both missing, but
  // only the NaN has text. A page with a null is read as doubles and a mask (nullable-doubles.ts).
  it('a null and a NaN in one passed-through column: CSV writes "" and NaN, JSON null and null', async () => {
    const writer = new ParquetWriter({ writer: fileWriter(at('nan-null.parquet')), schema: [{ name: 'root', num_children: 2 }, { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' }, { name: 'y', type: 'DOUBLE', repetition_type: 'OPTIONAL' }] });
    writer.write({ columnData: [{ name: 'x', data: [1, 2, 3, 4] }, { name: 'y', data: [null, Number.NaN, 2.5, null] }], rowGroupSize: 4 });
    writer.finish();
    const csv = (await bnInProcess(['normalize', at('nan-null.parquet'), '--to', 'csv', '-s', 'x'])).stdout.trim().split('\n');
    expect(csv.slice(1).map((line) => line.split(',')[1])).toEqual(['', 'NaN', '2.5', '']);
    const ndjson = (await bnInProcess(['normalize', at('nan-null.parquet'), '--to', 'ndjson', '-s', 'x'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(ndjson.map((row) => row.y)).toEqual([null, null, 2.5, null]);
  });

  it('-j 3 starts row-group workers for a statistics pass only (normalize writes rows: none of its passes can use them)', async () => {
    const started = (args: string[]) => {
      let workers = 0;
      const count = () => workers++;
      process.on('worker', count);
      return bnInProcess(args).finally(() => process.off('worker', count)).then((r) => ({ ...r, workers }));
    };
    expect((await started(['stats', at('t.parquet'), '-j', '3'])).workers).toBe(2);
    const normalized = await started(['normalize', at('t.parquet'), '-s', '!code', '-j', '3', '--to', 'csv']);
    expect(normalized.code, normalized.stderr).toBe(0);
    expect(normalized.workers).toBe(2); // pass 1, statistics; pass 2 writes rows
  });
});

describe('values and columns bn refuses', () => {
  it('an infinite double is an invalid value naming its row and column; nested columns are named', async () => {
    await duck.run(`COPY (SELECT i::DOUBLE AS w, CASE WHEN i = 41 THEN 'inf'::DOUBLE ELSE i END AS x FROM range(0, 100) t(i)) TO '${at('inf.parquet')}' (FORMAT parquet)`);
    await duck.run(`COPY (SELECT i::DOUBLE AS w, [i, i] AS l FROM range(0, 10) t(i)) TO '${at('nested.parquet')}' (FORMAT parquet)`);
    const inf = await bnInProcess(['stats', at('inf.parquet')]);
    expect(inf.code).toBe(1);
    expect(inf.stderr).toBe(`bn: ${at('inf.parquet')}[41] (column "x"): not a finite number: Infinity\n`);
    const nested = await bnInProcess(['stats', at('nested.parquet')]);
    expect(nested.code).toBe(1);
    expect(nested.stderr).toBe(`bn: ${at('nested.parquet')}: column "l": nested Parquet columns (lists, structs, maps) are not supported\n`);
  });
});

describe('a codec bn does not read', () => {
  it('LZO (which no common writer uses): one bn: line naming the column and the codecs it reads, before any page is read', async () => {
    const file = at('lzo.parquet');
    await duck.run(`COPY (SELECT i::DOUBLE AS lzo_col FROM range(0, 10) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION 'snappy')`);
    // The footer's column metadata: the path "lzo_col", then field 4, the codec (compact Thrift:
    // 0x15, then SNAPPY = 1 as a zigzag varint, 0x02); LZO is 3 (0x06).
    const bytes = readFileSync(file);
    const at_ = bytes.lastIndexOf(Buffer.from('lzo_col\x15\x02', 'latin1'));
    expect(at_).toBeGreaterThan(0);
    bytes[at_ + 8] = 0x06;
    writeFileSync(file, bytes);
    const r = await bnInProcess(['stats', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`bn: ${file}: column "lzo_col" is compressed with LZO, which bn does not read (it reads SNAPPY, GZIP, BROTLI, ZSTD, LZ4, LZ4_RAW): write the file again with one of those\n`);
  });
});

describe('a corrupt Parquet file', () => {
  const cases: [string, (file: string) => void][] = [
    ['truncated', (file) => truncateSync(file, Math.floor(readFileSync(file).length / 2))],
    ['its footer overwritten', (file) => {
      const bytes = readFileSync(file);
      bytes.fill(0x41, bytes.length - 40, bytes.length - 4);
      writeFileSync(file, bytes);
    }],
    ['a page header overwritten', (file) => {
      const bytes = readFileSync(file);
      bytes.fill(0xff, 4, 64); // the first page's header
      writeFileSync(file, bytes);
    }],
  ];

  it('a text column damaged: bn stats does not read it (no feature can come from it), normalize, which writes it, fails', async () => {
    const file = at('bad-text-column.parquet');
    copyFileSync(at('t.parquet'), file);
    const chunk = (await duck.runAndReadAll(`SELECT coalesce(dictionary_page_offset, data_page_offset)::INTEGER AS at FROM parquet_metadata('${file}') WHERE path_in_schema = 'code' AND row_group_id = 0`)).getRowObjectsJS()[0]!;
    const bytes = readFileSync(file);
    bytes.fill(0xff, Number(chunk.at), Number(chunk.at) + 60);
    writeFileSync(file, bytes);
    expect(await stats([file])).toEqual(await stats([at('t.parquet')]));
    const r = await bnInProcess(['normalize', file, '-o', at('bad-text-column.out.csv')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Parquet/);
    expect(existsSync(at('bad-text-column.out.csv'))).toBe(false);
  });

  it('a text page header whose page size leads back to itself: normalize fails at once, one bn: line, no output file (it read the chunk for ever)', async () => {
    const file = at('bad-page-size.parquet');
    copyFileSync(at('t.parquet'), file);
    const chunk = (await duck.runAndReadAll(`SELECT coalesce(dictionary_page_offset, data_page_offset)::INTEGER AS at, compression FROM parquet_metadata('${file}') WHERE path_in_schema = 'code' AND row_group_id = 0`)).getRowObjectsJS()[0]!;
    expect(chunk.compression).not.toBe('UNCOMPRESSED'); // its pages are sized first (a room for its text)
    // A dictionary page header whose compressed size is minus its own length.
    let header: Uint8Array | undefined;
    for (let length = 1; header === undefined; length++) {
      const writer = new ByteWriter();
      writePageHeader(writer, { type: 'DICTIONARY_PAGE', uncompressed_page_size: 10, compressed_page_size: -length, dictionary_page_header: { num_values: 1, encoding: 'PLAIN' } } as never);
      if (writer.offset === length) header = writer.getBytes().slice();
    }
    const bytes = readFileSync(file);
    bytes.set(header, Number(chunk.at));
    writeFileSync(file, bytes);
    const out = at('bad-page-size.out.csv');
    const r = await bnInProcess(['normalize', file, '-o', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^bn: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*Parquet.*\\n$`));
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
  });

  it.each(cases)('%s: one bn: line naming the file, exit 1, no output file', async (name, damage) => {
    const file = at(`bad-${name.replace(/\W/g, '')}.parquet`);
    copyFileSync(at('t.parquet'), file);
    damage(file);
    const out = at(`bad-${name.replace(/\W/g, '')}.out.parquet`);
    for (const args of [['stats', file], ['normalize', file, '-o', out]]) {
      const r = await bnInProcess(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bn: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*Parquet.*\\n$`));
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    }
  });
});
