/**
 * Parquet and Arrow output from batches: the typed sinks gather a batch's columns as they are
 * (src/pipeline/batch-writers.ts, ColumnsWriter); the row writer (BN_NO_FAST=1), which builds
 * each row and hands rows to the same sinks, is the reference they must match byte for byte,
 * over every kind of records (the CSV byte scanner's, Parquet and Arrow blocks, JSON rows).
 * Groups (row groups, record batches) are 65,536 rows whatever the batches: the inputs here are
 * larger than one, so a group ends inside a batch.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bnInProcess } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-typed-output-'));
const at = (name: string) => path.join(dir, name);
let duck: DuckDBConnection;

/** Rows of the inputs compared byte for byte: more than a group, so that one ends inside a batch. */
const ROWS = 70_000;
/** Rows of the input whose groups are read back: three groups and a rest (the Parquet sink's third group is gathered into the first one's arrays). */
const GROUPS_ROWS = 140_000;
const GENERAL = { BN_NO_FAST: '1' };

/** Text to quote, missing cells ("" and NA) in a feature and in a text column, a column of digits that stays text by its first value. */
function csv(rows: number): string {
  const lines = ['id,name,x,y,flag,code'];
  for (let i = 0; i < rows; i++) {
    const name = i % 5 === 0 ? '' : i % 7 === 0 ? '"a, ""b"""' : `n${i % 13}`;
    const x = i % 9 === 0 ? '' : i % 11 === 0 ? 'NA' : String((i % 1000) / 7);
    lines.push(`${i},${name},${x},${i * 0.25 - 3},${i % 2 === 0},${i === 0 ? 'A1' : String(i % 97).padStart(3, '0')}`);
  }
  return lines.join('\n') + '\n';
}

/** What each output holds: Parquet, an Arrow file, an Arrow stream. */
const OUTPUTS = ['out.parquet', 'out.arrow', 'out.arrows'];

/** `bn normalize input flags -o` each output, by columns and by rows (BN_NO_FAST=1): the same bytes. */
async function sameBytes(input: string, flags: string[] = []): Promise<void> {
  for (const name of OUTPUTS) {
    const outputs = [];
    for (const env of [{}, GENERAL]) {
      const file = at(`${Object.keys(env).length > 0 ? 'rows' : 'columns'}-${name}`);
      const r = await bnInProcess(['normalize', input, ...flags, '-o', file], '', { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      outputs.push(readFileSync(file));
    }
    expect(outputs[0]!.length, name).toBeGreaterThan(100);
    expect(outputs[0]!.equals(outputs[1]!), `${name}: ${flags.join(' ')}`).toBe(true);
  }
}

beforeAll(async () => {
  writeFileSync(at('t.csv'), csv(ROWS));
  writeFileSync(at('groups.csv'), csv(GROUPS_ROWS));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  // Integers, one beyond 2^53, decimals (one beyond 2^53 unscaled), text, booleans, nulls in each, a NaN double.
  await duck.run(`COPY (
    SELECT
      (i % 1000 - 500)::INTEGER AS i32,
      (i * 1000000007 + 9007199254740993)::BIGINT AS i64,
      CASE WHEN i % 6 = 0 THEN NULL ELSE i * 1.25 END::DECIMAL(10,2) AS amount,
      (123456789012345678 + i / 1024)::DECIMAL(38,10) AS big,
      CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || (i % 17)::VARCHAR END AS txt,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS flag,
      CASE WHEN i % 8 = 0 THEN NULL WHEN i % 9 = 0 THEN 'NaN'::DOUBLE ELSE i / 3 END::DOUBLE AS x,
      (i % 11)::SMALLINT AS small
    FROM range(0, ${ROWS}) t(i)) TO '${at('t.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 10000)`);
  await duck.run(`COPY (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::DOUBLE AS only FROM range(0, 100) t(i)) TO '${at('one.parquet')}' (FORMAT parquet)`);
  pl.readParquet(at('t.parquet')).writeIPC(at('t.arrow'));
  // JSON objects: a key missing in some, null in others, a nested value, a key first seen late (not in the first batch).
  const records = Array.from({ length: 3000 }, (_, i) => ({
    x: i % 10 === 0 ? null : i / 3,
    ...(i % 4 === 0 ? {} : { y: i * 2 }),
    label: `r${i % 5}`,
    nested: i % 50 === 0 ? { a: [i] } : true,
    ...(i > 2500 ? { late: i } : {}),
  }));
  writeFileSync(at('t.ndjson'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(at('t.json'), JSON.stringify(records));
  writeFileSync(at('one.csv'), 'only\n' + Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? '' : String(i))).join('\n') + '\n');
}, 60_000);

afterAll(() => duck?.closeSync());

describe('Parquet and Arrow output by columns: the bytes of the row writer', () => {
  it.each([
    ['CSV', 't.csv', []],
    ['CSV --precision 3 -s x (the other numbers pass through as text)', 't.csv', ['--precision', '3', '-s', 'x']],
    ['CSV -b 5000 (a group ends inside a batch)', 't.csv', ['-b', '5000']],
    ['CSV -b 100000 (a batch larger than a group)', 't.csv', ['-b', '100000']],
    ['Parquet --precision 4 -b 3000', 't.parquet', ['--precision', '4', '-b', '3000']],
    ['Parquet -s i64,amount (a 64-bit integer and a decimal as features)', 't.parquet', ['-s', 'i64,amount']],
    ['Arrow', 't.arrow', []],
    ['Arrow -b 7000', 't.arrow', ['-b', '7000']],
    ['NDJSON', 't.ndjson', []],
    ['NDJSON -b 1000 (a key first seen after the first batch)', 't.ndjson', ['-b', '1000']],
    ['JSON', 't.json', []],
    ['a one-column CSV', 'one.csv', []],
    ['a one-column Parquet file', 'one.parquet', ['--precision', '2']],
  ])('%s', async (_name, input, flags) => {
    await sameBytes(at(input), flags as string[]);
  }, 60_000);

  it('inference (--stats) from CSV and from Parquet', async () => {
    for (const [input, flags] of [['t.csv', []], ['t.parquet', ['--precision', '5']]] as const) {
      const saved = at(`${input}.stats.json`);
      expect((await bnInProcess(['stats', at(input), '--save-stats', saved])).code).toBe(0);
      await sameBytes(at(input), ['--stats', saved, ...flags]);
    }
  }, 60_000);

  // Both ways share the typed columns: what they hold is checked here against other readers.
  it('groups of 65,536 rows, whatever the batches, each with its own nulls: the row groups DuckDB reads, the record batches apache-arrow reads', async () => {
    const missing = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k).filter((i) => i % 9 === 0 || i % 11 === 0).length;
    // Three groups and a rest: the Parquet sink's third group is gathered into the first one's arrays, handed back.
    const groups = Array.from({ length: Math.ceil(GROUPS_ROWS / 65536) }, (_, g) => [Math.min(65536, GROUPS_ROWS - g * 65536), missing(g * 65536, Math.min(GROUPS_ROWS, (g + 1) * 65536))]);
    expect(groups.length).toBeGreaterThan(2);
    for (const flags of [[], ['-b', '5000'], ['-b', '100000']]) {
      expect((await bnInProcess(['normalize', at('groups.csv'), ...flags, '-o', at('groups.parquet')])).code).toBe(0);
      const reader = await duck.runAndReadAll(`SELECT row_group_num_rows AS n, stats_null_count AS nulls FROM parquet_metadata('${at('groups.parquet')}') WHERE path_in_schema = 'x' ORDER BY row_group_id`);
      expect(reader.getRowObjects().map((r) => [Number(r.n), Number(r.nulls)])).toEqual(groups);
      expect((await bnInProcess(['normalize', at('groups.csv'), ...flags, '-o', at('groups.arrow')])).code).toBe(0);
      const table = tableFromIPC(readFileSync(at('groups.arrow')));
      expect(table.batches.map((b) => [b.numRows, b.getChild('x')!.nullCount])).toEqual(groups);
      // Every value, against the TSV bytes writer's (the shortest text that reads back to the same double).
      const tsv = (await bnInProcess(['normalize', at('groups.csv'), ...flags, '--to', 'tsv'])).stdout.trimEnd().split('\n').slice(1);
      const expected = tsv.map((line) => line.split('\t')).map((cells) => [cells[0] === '' ? null : Number(cells[0]), cells[3] === '' ? null : Number(cells[3])]);
      const fromArrow = [...table].map((row) => [row!.id, row!.y]);
      expect(fromArrow).toEqual(expected);
      const parquet = await duck.runAndReadAll(`SELECT id, y FROM read_parquet('${at('groups.parquet')}', file_row_number = true) ORDER BY file_row_number`);
      expect(parquet.getRows()).toEqual(expected);
    }
  }, 60_000);
});
