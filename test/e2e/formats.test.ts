/**
 * Every input and output format through the whole CLI. fixtures/formats/ holds one small dataset
 * (a text column, two numeric columns with missing values, a note with a comma, quotes and a line
 * break) written in each input format; every one must give the same statistics, and the same
 * normalized numbers bit for bit whatever --to is, with the pass-through cells unchanged.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textAsJson } from '../../src/io/json-writer.js';
import type { Format } from '../../src/io/table.js';
import { exactMoments } from '../helpers/exact.js';
import { bnInProcess, bnProcess, expectClose, expectOneLineError, fixture, shell } from '../helpers/run-bn.js';

const OUTPUTS: Format[] = ['csv', 'tsv', 'json', 'ndjson'];

/** Each fixture: the file, whether its records are keyed by name, and its note of row d. */
const FIXTURES: [file: string, keyed: boolean, noteD: string][] = [
  ['data.csv', true, 'two\nlines'],
  ['data.tsv', true, 'two\nlines'],
  ['data-crlf.csv', true, 'two\r\nlines'],
  ['data-bom.csv', true, 'two\nlines'],
  ['data-quoted.csv', true, 'two\nlines'],
  ['data-objects.json', true, 'two\nlines'],
  ['data-arrays.json', false, 'two\nlines'],
  ['data.ndjson', true, 'two\nlines'],
  ['data-arrays.jsonl', false, 'two\nlines'],
];
const formats = (name: string) => fixture(`formats/${name}`);

// The dataset by hand: x and y without their missing cells.
const X = [1.5, 2.25, -3.125, 10, 0.001];
const Y = [-2, 0.4, 7, 0.5, -1.75];
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const NOTES = ['first', 'second, with a comma', 'third "quoted"', 'two\nlines', 'last', ''];

async function statsOf(args: string[], stdin?: string) {
  const r = stdin === undefined ? await bnInProcess(['stats', '--to', 'json', ...args]) : await bnInProcess(['stats', '--to', 'json', ...args], stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { features: _names, ...numbers } = JSON.parse(r.stdout);
  return numbers;
}

/** Output text → records as arrays in column order (objects by `columns`, CSV by its header). */
function records(text: string, to: Format, keyed: boolean, columns: string[]): unknown[][] {
  if (to === 'csv' || to === 'tsv') {
    const rows: string[][] = parse(text, { delimiter: to === 'tsv' ? '\t' : ',' });
    if (!keyed) return rows;
    const header = rows[0]!;
    return rows.slice(1).map((row) => columns.map((c) => row[header.indexOf(c)]));
  }
  const values: unknown[] = to === 'json' ? JSON.parse(text) : text.trimEnd().split('\n').map((line) => JSON.parse(line));
  return values.map((v) => (Array.isArray(v) ? v : columns.map((c) => (v as Record<string, unknown>)[c])));
}

/** A feature cell as a number, or 'missing' (null, absent, an empty or NA cell). */
const numberOrMissing = (v: unknown) => (v === null || v === undefined || v === '' || v === 'NA' ? 'missing' : Number(v));

describe('every input format gives the same statistics', () => {
  const exactX = exactMoments(X);
  const exactY = exactMoments(Y);

  it('the reference (data.csv) matches an exact computation', async () => {
    const s = await statsOf([formats('data.csv')]);
    expect(s.count).toEqual([5, 5]);
    expect(s.min).toEqual([-3.125, -2]);
    expect(s.max).toEqual([10, 7]);
    expectClose(s.mean[0], exactX.mean, 1e-15);
    expectClose(s.mean[1], exactY.mean, 1e-15);
    expectClose(s.var[0], exactX.variance, 1e-14);
    expectClose(s.var[1], exactY.variance, 1e-14);
  });

  it.each(FIXTURES)('%s', async (file) => {
    expect(await statsOf([formats(file)])).toEqual(await statsOf([formats('data.csv')]));
  });

  it.each([
    ['data.csv', []],
    ['data-bom.csv', []],
    ['data-crlf.csv', []],
    ['data-objects.json', []],
    ['data-arrays.json', []],
    ['data.ndjson', []],
    ['data-arrays.jsonl', ['--from', 'jsonl']], // [ on standard input says json
    ['data.tsv', ['--from', 'tsv']],
  ])('%s on standard input (format from the first byte, or --from)', async (file, args) => {
    expect(await statsOf(args, readFileSync(formats(file), 'utf8'))).toEqual(await statsOf([formats('data.csv')]));
  });

  it('a file with no known extension is sniffed too; --from overrides an extension', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-formats-'));
    writeFileSync(path.join(dir, 'data.txt'), readFileSync(formats('data.ndjson')));
    writeFileSync(path.join(dir, 'lines.json'), readFileSync(formats('data.ndjson')));
    const reference = await statsOf([formats('data.csv')]);
    expect(await statsOf([path.join(dir, 'data.txt')])).toEqual(reference);
    expect(await statsOf([path.join(dir, 'lines.json'), '--from', 'jsonl'])).toEqual(reference);
  });

  it('the seed example as a JSON array of arrays, piped: μ_B = [10, 11], σ_B² = [33, 33]', async () => {
    const seed = JSON.stringify(Array.from({ length: 10 }, (_, i) => [2 * i + 1, 2 * i + 2]));
    const r = await shell(`echo '${seed}' | $BN stats --to json`);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.features).toEqual(['1', '2']);
    expect(s.mean).toEqual([10, 11]);
    expect(s.var).toEqual([33, 33]);
  });
});

describe('normalize gives the same numbers in every format, and every pass-through cell back', () => {
  let reference: unknown[][] | undefined;
  const referenceRows = async () => {
    if (!reference) {
      const r = await bnInProcess(['normalize', formats('data.csv')]);
      reference = records(r.stdout, 'csv', true, ['name', 'x', 'y', 'note']);
    }
    return reference;
  };

  it('the reference is (x − μ_B)/√(σ_B² + ε)', async () => {
    const rows = await referenceRows();
    const x = exactMoments(X);
    expectClose(Number(rows[0]![1]), (1.5 - x.mean) / Math.sqrt(x.variance + 1e-5), 1e-14);
    expect(rows[2]![1]).toBe(''); // missing: written back as it was
    expect(rows[1]![2]).toBe('NA');
  });

  const cases = FIXTURES.flatMap(([file, keyed, noteD]) => OUTPUTS.map((to) => [file, to, keyed, noteD] as const));
  it.each(cases)('%s --to %s', async (file, to, keyed, noteD) => {
    const r = await bnInProcess(['normalize', formats(file), '--to', to]);
    expect(r.stderr).toBe('');
    const columns = keyed ? ['name', 'x', 'y', 'note'] : ['1', '2', '3', '4'];
    const rows = records(r.stdout, to, keyed, columns);
    const expected = await referenceRows();
    expect(rows.map((row) => row[0])).toEqual(NAMES);
    expect(rows.map((row) => row[3])).toEqual(NOTES.map((n) => (n === 'two\nlines' ? noteD : n)));
    for (let i = 0; i < rows.length; i++) {
      for (const j of [1, 2]) {
        const got = numberOrMissing(rows[i]![j]);
        const want = numberOrMissing(expected[i]![j]);
        // Object.is: bit-identical (0 and -0 told apart), not merely close.
        expect(Object.is(got, want), `row ${i} column ${j}: ${String(got)} vs ${String(want)}`).toBe(true);
      }
    }
  });

  it('a JSON input is written back in its own format by default', async () => {
    const json = await bnInProcess(['normalize', formats('data-objects.json')]);
    expect(JSON.parse(json.stdout)).toHaveLength(6);
    const nd = await bnInProcess(['normalize', formats('data.ndjson')]);
    expect(nd.stdout.trimEnd().split('\n')).toHaveLength(6);
    const tsv = await bnInProcess(['normalize', formats('data.tsv')]);
    expect(tsv.stdout.split('\n')[0]).toBe('name\tx\ty\tnote');
  });
});

describe('conversions', () => {
  it('JSON → JSON: keys, key order, absent keys, null, "NA", booleans and nested values as they were', async () => {
    const input = '[{"x":1,"t":true,"n":{"a":[1,"2"]},"s":"NA"},{"s":"z","x":null},{"t":"1e5","x":3,"s":""}]';
    const r = await bnInProcess(['normalize'], input);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.map((o: object) => Object.keys(o))).toEqual([['x', 't', 'n', 's'], ['s', 'x'], ['t', 'x', 's']]);
    expect(out[0]).toMatchObject({ t: true, n: { a: [1, '2'] }, s: 'NA' });
    expect(out[1]).toEqual({ s: 'z', x: null });
    expect(out[2]).toMatchObject({ t: '1e5', s: '' });
    expect(out[0].x).toBe(-0.9999950000374996);
  });

  it('JSON numbers whose double loses digits (ids beyond 2^53, 18+ digits) pass through digit for digit: JSON, NDJSON (flat lines, nested ones, -j 2, BN_NO_FAST), to every text format', async () => {
    // What a double holds of them: 12345678901234567891 → 12345678901234567000, 2^53 + 1 → 2^53.
    const ids = ['12345678901234567891', '9007199254740993', '-98765432109876543210', '0.100000000000000005551'];
    const objects = ids.map((id, i) => `{"id":${id},"x":${i + 1},"n":{"deep":[${id}]}}`);
    const flat = ids.map((id, i) => `{"id":${id},"x":${i + 1}}`);
    const cases: Array<[string, string, string[]]> = [
      ['json', `[${objects.join(',')}]`, []],
      ['ndjson', `${objects.join('\n')}\n`, []],
      ['ndjson', `${flat.join('\n')}\n`, []],
      ['ndjson', `${flat.join('\n')}\n`, ['BN_NO_FAST']],
    ];
    for (const [from, input, env] of cases) {
      for (const to of ['json', 'ndjson', 'csv', 'tsv']) {
        const r = await bnInProcess(['normalize', '-s', 'x', '--from', from, '--to', to], input, { env: Object.fromEntries(env.map((k) => [k, '1'])) });
        expect(r.stderr).toBe('');
        for (const id of ids) expect(r.stdout, `${from} → ${to}`).toContain(id);
        if (input.includes('deep') && to.includes('json')) expect(r.stdout).toContain(`"deep":[${ids[0]}]`);
      }
    }
    // A feature of such numbers takes their doubles: the same statistics as JSON.parse's values.
    const lines = Array.from({ length: 40_000 }, (_, i) => `{"id":${ids[i % 4]},"x":${i % 9}}`).join('\n');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-raw-')), 'ids.ndjson');
    writeFileSync(file, `${lines}\n`);
    const one = await bnInProcess(['stats', '--to', 'json', '-j', '1', file]);
    const two = await bnInProcess(['stats', '--to', 'json', '-j', '2', file], '', { env: { BN_JOBS_BLOCK: '65536' } });
    expect(two.stdout).toBe(one.stdout);
    const want = exactMoments(Array.from({ length: 40_000 }, (_, i) => JSON.parse(ids[i % 4]!) as number));
    expect(JSON.parse(one.stdout).mean[0]).toBe(want.mean);
  });

  it('numbers beyond float64 or below it pass through as read, nested ones too (they were null, or 1e999, or 0)', async () => {
    const input = '{"x":1,"k":1e400,"u":1e-400,"n":{"a":1e999,"b":[1e999,-1e400]}}\n{"x":3,"k":2,"u":0,"n":null}\n';
    for (const env of [{}, { BN_NO_FAST: '1' }] as Record<string, string>[]) {
      const r = await bnInProcess(['normalize', '-s', 'x', '--from', 'ndjson'], input, { env });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toBe('{"x":-0.9999950000374996,"k":1e400,"u":1e-400,"n":{"a":1e999,"b":[1e999,-1e400]}}');
    }
    const array = await bnInProcess(['normalize', '-s', 'x', '--to', 'csv'], `[${input.trim().split('\n').join(',')}]`);
    expect(array.stdout.split('\n')[1]).toBe('-0.9999950000374996,1e400,1e-400,"{""a"":1e999,""b"":[1e999,-1e400]}"');
  });

  it('a long number where a record should be is refused as a number; one beyond float64 in a feature is the usual error, with its line', async () => {
    const top = await bnInProcess(['stats'], '[12345678901234567891]');
    expect(top.code).toBe(1);
    expectOneLineError(top.stderr, /a record must be a JSON object or array, found a number 12345678901234567891/);
    const line = await bnInProcess(['normalize', '--from', 'ndjson'], '12345678901234567891\n');
    expect(line.code).toBe(1);
    expectOneLineError(line.stderr, /^bn: <stdin>:1: a record must be a JSON object or array, found a number 12345678901234567891$/);
    for (const env of [{}, { BN_NO_FAST: '1' }] as Record<string, string>[]) {
      const huge = await bnInProcess(['stats', '--from', 'ndjson'], '{"b":1}\n{"b":1.00000000000000000000e999}\n', { env });
      expect(huge.code).toBe(1);
      expectOneLineError(huge.stderr, /^bn: <stdin>:2 \(column "b"\): number out of float64 range/);
    }
  });

  it('CSV → JSON: objects keyed by the header, text as strings, missing feature cells null', async () => {
    const r = await bnInProcess(['normalize', '--to', 'json'], 'name,x\nann,1\n,NA\n007,3\n');
    expect(r.stdout).toBe('[\n{"name":"ann","x":-0.9999950000374996},\n{"name":"","x":null},\n{"name":"007","x":0.9999950000374996}\n]\n');
  });

  it('CSV -n → NDJSON arrays, and back to CSV without a header', async () => {
    const r = await bnInProcess(['normalize', '-n', '--to', 'ndjson'], 'ann,1\nbob,3\n');
    expect(r.stdout).toBe('["ann",-0.9999950000374996]\n["bob",0.9999950000374996]\n');
    const back = await bnInProcess(['normalize', '--from', 'ndjson', '--to', 'csv', '-s', '2'], r.stdout);
    expect(back.stdout).toMatch(/^ann,-0\.99999\d+\nbob,0\.99999\d+\n$/);
  });

  it('JSON → CSV: strings as text, other values as JSON text, null and absent keys empty', async () => {
    const r = await bnInProcess(['normalize', '--to', 'csv'], '[{"x":1,"o":{"k":[1]},"b":false},{"x":3,"o":null},{"b":"t, u","x":null}]');
    expect(r.stdout).toBe('x,o,b\n-0.9999950000374996,"{""k"":[1]}",false\n0.9999950000374996,,\n,,"t, u"\n');
  });

  it('--precision rounds normalized numbers, not pass-through JSON numbers', async () => {
    const r = await bnInProcess(['normalize', '-s', 'x', '--precision', '3', '--to', 'ndjson'], '[{"x":1,"id":0.123456789},{"x":3,"id":2}]');
    expect(r.stdout).toBe('{"x":-1,"id":0.123456789}\n{"x":1,"id":2}\n');
  });

  it('-d applies to the output only when it is written in the input format', async () => {
    const same = await bnInProcess(['normalize', '-d', ';'], 'a;b\n1;x\n3;y\n');
    expect(same.stdout).toBe('a;b\n-0.9999950000374996;x\n0.9999950000374996;y\n');
    const other = await bnInProcess(['normalize', '-d', ';', '--to', 'tsv'], 'a;b\n1;x\n3;y\n');
    expect(other.stdout).toBe('a\tb\n-0.9999950000374996\tx\n0.9999950000374996\ty\n');
  });
});

describe('--select through the CLI', () => {
  it('picks features by name, index, range, regex and inversion; the rest passes through', async () => {
    const csv = 'id,x1,x2,label\n1,10,5,a\n2,20,7,b\n';
    for (const [list, features] of [['x1', ['x1']], ['2-3', ['x1', 'x2']], ['/^x/', ['x1', 'x2']], ['!id', ['x1', 'x2']], ['id,x2', ['id', 'x2']]] as const) {
      const r = await bnInProcess(['stats', '--to', 'json', '-s', list], csv);
      expect(JSON.parse(r.stdout).features, list).toEqual(features);
    }
    const n = await bnInProcess(['normalize', '-s', 'x2'], csv);
    expect(n.stdout).toBe('id,x1,x2,label\n1,10,-0.9999950000374996,a\n2,20,0.9999950000374996,b\n');
  });

  it('a header that is a number is selected by its name', async () => {
    const r = await bnInProcess(['stats', '--to', 'json', '-s', '2015'], 'year,2014,2015\n1,2,3\n4,5,6\n');
    expect(JSON.parse(r.stdout).features).toEqual(['2015']);
  });
});

describe('missing values', () => {
  it('JSON null and absent keys are always missing; --na-values replaces the text markers', async () => {
    const s = await statsOf(['--na-values', '-999'], '[{"x":1,"y":"-999"},{"x":null,"y":2},{"y":4},{"x":"-999","y":6},{"x":5,"y":null}]');
    expect(s.count).toEqual([2, 3]);
    expect(s.mean).toEqual([3, 4]);
  });

  it('each missing cell is written back exactly as it was', async () => {
    const r = await bnInProcess(['normalize', '--na-values', '-999,NA', '--to', 'ndjson'], '{"x":1,"y":"-999"}\n{"x":null,"y":2}\n{"y":4}\n{"x":"NA","y":6}\n{"x":5}\n');
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].y).toBe('-999');
    expect(lines[1].x).toBeNull();
    expect('x' in lines[2]).toBe(false);
    expect(lines[3].x).toBe('NA');
    expect('y' in lines[4]).toBe(false);
  });
});

describe('a column first seen in record 500', () => {
  const records = Array.from({ length: 1000 }, (_, i) => (i < 500 ? { x: i } : { x: i, w: (i % 7) - 3.5 }));
  const json = JSON.stringify(records);
  const ws = records.slice(500).map((r) => (r as { w: number }).w);

  it('is a feature of the whole input: stats, and normalize in every format', async () => {
    const s = await statsOf([], json);
    expect(s.count).toEqual([1000, 500]);
    expectClose(s.var[1], exactMoments(ws).variance, 1e-14);
    const out = JSON.parse((await bnInProcess(['normalize'], json)).stdout);
    expect('w' in out[499]).toBe(false);
    expectClose(out[500].w, (ws[0]! - exactMoments(ws).mean) / Math.sqrt(exactMoments(ws).variance + 1e-5), 1e-12);
    const csv = (await bnInProcess(['normalize', '--to', 'csv'], json)).stdout.split('\n');
    expect(csv[0]).toBe('x,w');
    expect(csv[1]).toMatch(/^-1\.7\d+,$/);
  });

  it('with -b it passes through a JSON output, and cannot go to CSV', async () => {
    const out = (await bnInProcess(['normalize', '-b', '100', '--to', 'ndjson'], json)).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out[500].w).toBe(ws[0]);
    const csv = await bnInProcess(['normalize', '-b', '100', '--to', 'csv'], json);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toMatch(/^bn: <stdin>\[500\] \(column "w"\): this key first appears after the CSV header was written/);
  });

  it('is found far into a large file (past the first chunks), with the same statistics as the CSV', async () => {
    const many = Array.from({ length: 40000 }, (_, i) => (i < 30000 ? { x: i / 3 } : { x: i / 3, w: Math.sin(i) }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-late-'));
    writeFileSync(path.join(dir, 'late.json'), JSON.stringify(many));
    writeFileSync(path.join(dir, 'late.csv'), `x,w\n${many.map((r) => `${r.x},${'w' in r ? r.w : ''}`).join('\n')}\n`);
    const fromJson = await statsOf([path.join(dir, 'late.json'), '-b', '7000']);
    const fromCsv = await statsOf([path.join(dir, 'late.csv'), '-b', '7000']);
    expect(fromJson.count).toEqual(fromCsv.count);
    expect(fromJson.mean).toEqual(fromCsv.mean);
    fromJson.var.forEach((v: number, j: number) => expectClose(v, fromCsv.var[j], 1e-15));
    expect(fromJson.batches.map((b: { count: number[] }) => b.count[1])).toEqual([0, 0, 0, 0, 5000, 5000]);
  });
});

describe('a feature key that first appears past the first chunks', () => {
  // 1.3 MB of records without w, then 5,000 with it: the reader's first chunks have no w.
  const many = Array.from({ length: 105000 }, (_, i) => (i < 100000 ? { x: (i % 1000) / 8 } : { x: (i % 1000) / 8, w: Math.sin(i) }));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-late-key-'));
  const ndjson = path.join(dir, 'late.ndjson');
  const json = path.join(dir, 'late.json');
  const csv = path.join(dir, 'late.csv');
  writeFileSync(ndjson, many.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(json, JSON.stringify(many));
  writeFileSync(csv, `x,w\n${many.map((r) => `${r.x},${'w' in r ? r.w : ''}`).join('\n')}\n`);
  const stats = path.join(dir, 's.json');
  /** The CSV's normalized cells, the reference (its header has w from the start). */
  const csvCells = async (args: string[]) => {
    const r = await bnProcess([...args, csv]);
    expect(r.stderr).toBe('');
    return r.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(','));
  };
  /** JSON output rows as CSV cells: an absent key an empty cell. */
  const asCells = (text: string) =>
    text.trimEnd().split('\n').filter((l) => l !== '[' && l !== ']').map((l) => JSON.parse(l.replace(/,$/, '')) as Record<string, number>)
      .map((o) => [String(o.x), 'w' in o ? String(o.w) : '']);

  it('whole-input normalize: the second pass has the key from its first row (NDJSON, JSON, standard input; JSON and CSV out)', async () => {
    const want = await csvCells(['normalize']);
    expect(want[104999]![1]).not.toBe('');
    for (const file of [ndjson, json]) {
      const r = await bnProcess(['normalize', file]);
      expect(r.stderr).toBe('');
      expect(asCells(r.stdout)).toEqual(want);
      const toCsv = await bnProcess(['normalize', file, '--to', 'csv']);
      expect(toCsv.stderr).toBe('');
      expect(toCsv.stdout.startsWith('x,w\n')).toBe(true);
      expect(toCsv.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(','))).toEqual(want);
    }
    const piped = await bnProcess(['normalize', '--from', 'ndjson', '-j', '1'], { stdin: readFileSync(ndjson) });
    expect(asCells(piped.stdout)).toEqual(want);
  });

  it('records that are arrays, past the first chunks: whole-input normalize is the CSV\'s (arrays have no keys to expect)', async () => {
    const arrays = many.map((r) => [r.x, 'w' in r ? r.w : null]);
    const want = await csvCells(['normalize']);
    const json = path.join(dir, 'arrays.json');
    const lines = path.join(dir, 'arrays.ndjson');
    writeFileSync(json, JSON.stringify(arrays));
    writeFileSync(lines, arrays.map((a) => JSON.stringify(a)).join('\n') + '\n');
    for (const file of [json, lines]) {
      // Arrays have no names: the CSV is written without a header.
      const r = await bnProcess(['normalize', file, '--to', 'csv']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trimEnd().split('\n').map((l) => l.split(','))).toEqual(want);
    }
  });

  it('inference by name: a feature the first chunks lack is a column from the start, missing in them', async () => {
    expect((await bnProcess(['stats', csv, '--save-stats', stats])).code).toBe(0);
    const want = await csvCells(['normalize', '--stats', stats]);
    for (const file of [ndjson, json]) {
      const r = await bnProcess(['normalize', file, '--stats', stats]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(asCells(r.stdout)).toEqual(want);
      const toCsv = await bnProcess(['normalize', file, '--stats', stats, '--to', 'csv']);
      expect(toCsv.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(','))).toEqual(want);
    }
    // From a pipe, a chunk at a time, and line-buffered: each chunk's rows go out before the key is seen.
    const chunks = readFileSync(ndjson).toString().match(/(?:[^\n]*\n){1,1000}/g)!.map((c) => Buffer.from(c));
    const streamed = await bnInProcess(['normalize', '--from', 'ndjson', '--stats', stats, '--line-buffered'], '', { input: Readable.from(chunks) });
    expect(streamed.stderr).toBe('');
    expect(asCells(streamed.stdout)).toEqual(want);
  });

  it('inference by name with --select: the feature is picked by name, /regex/, glob, ! list or index', async () => {
    expect((await bnProcess(['stats', csv, '--save-stats', stats])).code).toBe(0);
    const want = await csvCells(['normalize', '--stats', stats]);
    // It was "--select: no column "w"", or "missing from the input's selection" for all but a name
    // and an index. A stats feature that a pattern picks is a feature though its first values are
    // missing: the CSV, whose header has w, was refused too.
    for (const select of ['x,w', '/^[xw]$/', '?', '!/^z/', '1-2']) {
      const selected = await bnProcess(['normalize', ndjson, '--stats', stats, '-s', select]);
      expect(selected.stderr).toBe('');
      expect(asCells(selected.stdout)).toEqual(want);
      if (!/^[\w,-]+$/.test(select)) expect(await csvCells(['normalize', '--stats', stats, '-s', select])).toEqual(want);
    }
    // A pattern that leaves the feature out is still refused, naming it.
    const without = await bnProcess(['normalize', ndjson, '--stats', stats, '-s', '/^x/']);
    expectOneLineError(without.stderr, /missing from the input's selection: "w"/);
  });

  it('inference by name: a feature no record has is refused at the end of the input, and -o is not written', async () => {
    expect((await bnProcess(['stats', csv, '--save-stats', stats])).code).toBe(0);
    const without = path.join(dir, 'no-w.ndjson');
    writeFileSync(without, many.slice(0, 100000).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await bnProcess(['normalize', without, '--stats', stats]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /^bn: .*s\.json: features do not match the input .*no-w\.ndjson: no record has the key: "w"; the input's keys not in the stats file: none$/);
    const out = path.join(dir, 'out.csv');
    const o = await bnProcess(['normalize', without, '--stats', stats, '-o', out]);
    expect(o.code).toBe(1);
    expect(readdirSync(dir)).not.toContain('out.csv');
    // A stats file none of whose features the first records have is another input's: refused before any row, naming the keys.
    writeFileSync(without, '{"X":1,"W":2}\n{"X":3,"W":4}\n');
    const other = await bnProcess(['normalize', without, '--stats', stats]);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe('');
    expectOneLineError(other.stderr, /features do not match the input .*: missing from the input: "x", "w"; in the input but not in the stats file: "X", "W"$/);
    // A key present with null counts as present: the column exists, every value missing.
    writeFileSync(without, `${many.slice(0, 3).map((r) => JSON.stringify(r)).join('\n')}\n{"x":1,"w":null}\n`);
    const withNull = await bnProcess(['normalize', without, '--stats', stats]);
    expect(withNull.stderr).toBe('');
    expect(withNull.code).toBe(0);
  });
});

describe('pipelines', () => {
  it('a JSON output to a reader that leaves early ends quietly with status 0', async () => {
    for (const to of ['json', 'ndjson']) {
      const r = await shell(`seq 1 200000 | $BN normalize -n --to ${to} | head -3`);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toHaveLength(4);
    }
  });

  it('-o /dev/stdout with two threads, to a reader that leaves early: status 0, no "cannot read" of the input', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-epipe-'));
    const file = path.join(dir, 'rows.csv');
    writeFileSync(file, `id,x,y\n${Array.from({ length: 150_000 }, (_, i) => `r${i},${i / 7},${Math.sin(i)}`).join('\n')}\n`);
    // Small blocks: the workers' bytes meet the closed pipe while the main thread reads (it did in 7 runs of 8).
    for (let k = 0; k < 4; k++) {
      const r = await shell(`BN_JOBS_BLOCK=65536 $BN normalize ${file} -j 2 -o /dev/stdout | head -1`);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('id,x,y\n');
    }
  });

  it('a big JSON array streams through normalize -b to a reader that leaves early', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-big-'));
    writeFileSync(path.join(dir, 'big.json'), `[${Array.from({ length: 300000 }, (_, i) => `[${i}]`).join(',')}]`);
    const r = await shell(`$BN normalize -b 1000 ${path.join(dir, 'big.json')} | head -3`);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // The first batch is 0…999: μ = 499.5, σ² = (1000² − 1)/12.
    expect(r.stdout).toMatch(/^\[\n\[-1\.73031962\d*\],\n\[-1\.72685551\d*\],\n$/);
  });

  it('-o leaves no partial file when a JSON input turns out bad halfway', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-test-'));
    const target = path.join(dir, 'out.json');
    writeFileSync(target, 'previous\n');
    const good = Array.from({ length: 5000 }, (_, i) => `{"a":${i}}`).join(',');
    const r = await bnProcess(['normalize', '-b', '100', '-o', target, '-'], { stdin: `[${good},{"a":"oops"}]` });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('bn: <stdin>[5000] (column "a"): not a number: "oops"\n');
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });
});

describe('property: any data, any input format, any output format', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '"', "'", '\n', '\r', '\t', '\\', '{', '[', 'é', '😀', 'NA', '1'), maxLength: 8 });
  const value = fc.option(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -5, max: 5 })), { freq: 5 });
  const table = fc
    .array(fc.tuple(text, value, value), { minLength: 3, maxLength: 12 })
    // Training mode needs two values of each feature: the first two rows have them.
    .filter((rows) => rows[0]![1] !== null && rows[1]![1] !== null && rows[0]![2] !== null && rows[1]![2] !== null);

  /** The table in each input format; missing values as an empty cell, null, or an absent key. */
  function write(rows: [string, number | null, number | null][], dir: string): Record<string, string> {
    const num = (v: number | null) => (v === null ? '' : String(v));
    const csvText = (s: string, d: string) => (/["\n\r]/.test(s) || s.includes(d) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s);
    const files: Record<string, string> = {
      'd.csv': `t,x,y\n${rows.map(([t, x, y]) => `${csvText(t, ',')},${num(x)},${num(y)}`).join('\n')}\n`,
      'd.tsv': `t\tx\ty\n${rows.map(([t, x, y]) => `${csvText(t, '\t')}\t${num(x)}\t${num(y)}`).join('\n')}\n`,
      'd.json': JSON.stringify(rows.map(([t, x, y]) => ({ t, x, ...(y === null ? {} : { y }) }))),
      'a.json': JSON.stringify(rows),
      'd.ndjson': rows.map(([t, x, y]) => JSON.stringify({ y, t, x })).join('\r\n'),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return files;
  }

  it('gives bit-identical numbers and every text cell back', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (rows) => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-prop-'));
        const files = write(rows, dir);
        let reference: unknown[] | undefined;
        for (const name of Object.keys(files)) {
          for (const to of OUTPUTS) {
            const keyed = name !== 'a.json';
            const r = await bnInProcess(['normalize', path.join(dir, name), '--to', to, '-s', keyed ? 'x,y' : '2,3']);
            expect(r.stderr).toBe('');
            const out = records(r.stdout, to, keyed, ['t', 'x', 'y']);
            // JSON output of CSV/TSV text: a pass-through cell that reads as a number is a JSON number (SPEC §4).
            const typed = /\.[ct]sv$/.test(name) && (to === 'json' || to === 'ndjson');
            expect(out.map((row) => row[0])).toEqual(rows.map(([t]) => (typed ? JSON.parse(textAsJson(t)) : t)));
            const numbers = out.map((row) => [numberOrMissing(row[1]), numberOrMissing(row[2])]);
            reference ??= numbers;
            expect(numbers.flat().every((v, i) => Object.is(v, reference!.flat()[i]))).toBe(true);
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

describe('inference mode and denormalize read and write every format too', () => {
  it('a stats file from CSV normalizes NDJSON to JSON, and denormalize gives the values back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-infer-'));
    const model = path.join(dir, 'model.json');
    expect((await bnInProcess(['stats', formats('data.csv'), '--save-stats', model])).code).toBe(0);
    const normalized = await bnInProcess(['normalize', formats('data.ndjson'), '--stats', model, '--to', 'json']);
    expect(normalized.stderr).toBe('');
    const rows = JSON.parse(normalized.stdout);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(NAMES);
    expect('y' in rows[1]).toBe(false); // absent stays absent
    expect(rows[2].x).toBe(''); // a missing marker stays as it was
    writeFileSync(path.join(dir, 'scaled.json'), normalized.stdout);
    const back = JSON.parse((await bnInProcess(['denormalize', path.join(dir, 'scaled.json'), '--stats', model])).stdout);
    back.forEach((r: { x: unknown; y?: unknown }, i: number) => {
      const x = [1.5, 2.25, null, -3.125, 10, 0.001][i];
      // To rounding at the data's scale (|x| ≤ 10), not relative to a tiny value such as 0.001.
      if (typeof x === 'number') expect(Math.abs((r.x as number) - x)).toBeLessThan(1e-14 * 10);
    });
    expect(Math.abs(back[2].y - 0.4)).toBeLessThan(1e-14 * 10); // "4e-1" in the file: a number now
  });

  it('--select picks the features to match a stats file without names (by position)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-infer-'));
    const model = path.join(dir, 'keras.json');
    writeFileSync(model, JSON.stringify({ moving_mean: [2], moving_variance: [4], eps: 0 }));
    const r = await bnInProcess(['normalize', '--stats', model, '-s', 'y', '--to', 'ndjson'], 'x,y\n1,6\n3,0\n');
    expect(r.stdout).toBe('{"x":1,"y":2}\n{"x":3,"y":-1}\n'); // x passes through, a number
  });
});

describe('the format from the file extension (SPEC §2)', () => {
  // The seed example's first column in each format; every one must give μ = 10, σ² = 33.
  const xs = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  it.each([
    ['seed.tab', `x\n${xs.join('\n')}\n`],
    ['seed.TSV', `x\tlabel\n${xs.map((x) => `${x}\tt`).join('\n')}\n`],
    ['seed.jsonl', xs.map((x) => JSON.stringify({ x })).join('\n')],
    ['seed.ndjson', xs.map((x) => JSON.stringify([x])).join('\n')],
    ['seed.json', JSON.stringify(xs.map((x) => ({ x })))],
  ])('%s', async (name, text) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-ext-')), name);
    writeFileSync(file, text);
    const r = await bnInProcess(['stats', file, '--to', 'json']);
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout);
    expect(s.mean[0]).toBe(10);
    expect(s.var[0]).toBe(33);
    expect(s.rows).toBe(10);
  });
});
