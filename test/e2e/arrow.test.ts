/**
 * Arrow IPC, against another implementation: Polars (nodejs-polars, a devDependency) writes a
 * table as an Arrow file (in two record batches) and as an Arrow stream; bn's statistics of each
 * are the bits of the same values as CSV. bn's Arrow output, file and stream, read back by Polars
 * has the rows, column types and values of bn's CSV output.
 *
 * The CSV is written here from the values given to Polars: a Float32 column as its float32 values
 * widened to doubles (Math.fround), the decimals as their exact digits.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateDay, DateMillisecond, Duration, Float64, makeData, makeVector, Table, tableFromIPC, tableToIPC, TimeMicrosecond, TimestampMicrosecond, TimestampNanosecond, TimeUnit, Utf8, vectorFromArray } from 'apache-arrow';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { bnInProcess, csvRows, shell } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-arrow-'));
const at = (name: string) => path.join(dir, name);

const ROWS = 300;
const nullEvery = (k: number, i: number, x: number) => (i % k === 0 ? null : x);
const COLUMNS = {
  i32: Array.from({ length: ROWS }, (_, i) => nullEvery(7, i, (i * 37) % 1000 - 500)),
  i64: Array.from({ length: ROWS }, (_, i) => 2 ** 52 + i * 1_000_003),
  f32: Array.from({ length: ROWS }, (_, i) => nullEvery(5, i, i / 3)),
  f64: Array.from({ length: ROWS }, (_, i) => i / 7 - 30),
  // Multiples of 1/8: exact in binary and in three decimal places, so the cast is exact.
  dec: Array.from({ length: ROWS }, (_, i) => nullEvery(11, i, i * 0.125 - 9)),
  code: Array.from({ length: ROWS }, (_, i) => (i % 13 === 0 ? null : String(i % 97).padStart(3, '0'))),
};

function frame(from: number, to: number) {
  const part = <T,>(values: T[]) => values.slice(from, to);
  return pl.DataFrame([
    pl.Series('i32', part(COLUMNS.i32), pl.Int32),
    pl.Series('i64', part(COLUMNS.i64), pl.Int64),
    pl.Series('f32', part(COLUMNS.f32), pl.Float32),
    pl.Series('f64', part(COLUMNS.f64), pl.Float64),
    pl.Series('dec', part(COLUMNS.dec), pl.Float64).cast(pl.Decimal(12, 3)),
    pl.Series('code', part(COLUMNS.code), pl.Utf8),
  ]);
}

/** The same values as CSV text: a float32 as its double, a decimal as its three digits. */
function csvOf(rows: number): string {
  const cell = (name: keyof typeof COLUMNS, x: number | string | null) => {
    if (x === null) return '';
    if (name === 'f32') return String(Math.fround(x as number));
    if (name === 'dec') return (x as number).toFixed(3);
    return String(x);
  };
  const names = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];
  const lines = [names.join(',')];
  for (let i = 0; i < rows; i++) lines.push(names.map((n) => cell(n, COLUMNS[n][i]!)).join(','));
  return lines.join('\n') + '\n';
}

/** Polars' name of a type: Float64, Decimal(12,3). */
const dtype = (type: unknown) => String(type).replace(/^DataType\((.*)\)$/, '$1');

async function stats(args: string[], stdin?: Buffer) {
  const r = await bnInProcess(['stats', '--to', 'json', ...args], stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  // Two record batches in the file: the reader goes from one to the next.
  const table = pl.concat([frame(0, 120), frame(120, ROWS)], { rechunk: false, how: 'vertical' });
  table.writeIPC(at('t.arrow'));
  writeFileSync(at('t.feather'), readFileSync(at('t.arrow')));
  writeFileSync(at('t.arrows'), table.writeIPCStream());
  frame(0, 0).writeIPC(at('empty.arrow'));
  writeFileSync(at('t.csv'), csvOf(ROWS));
  writeFileSync(at('empty.csv'), csvOf(0));
});

describe('Arrow IPC written by Polars', () => {
  it.each(['t.arrow', 't.feather', 't.arrows'])('%s gives the statistics of the same data as CSV, bit for bit (int32, int64, float32, float64, decimal, nulls; text stays text)', async (name) => {
    const fromArrow = await stats([at(name)]);
    expect(fromArrow.features).toEqual(['i32', 'i64', 'f32', 'f64', 'dec']);
    expect(fromArrow).toEqual(await stats([at('t.csv'), '-s', '!code']));
    expect(await stats([at(name), '-b', '50'])).toEqual(await stats([at('t.csv'), '-s', '!code', '-b', '50']));
  });

  // apache-arrow reads a compressed batch only through a codec registered with it; pyarrow's
  // Feather is LZ4-compressed by default.
  it.each(['lz4', 'zstd'] as const)('compressed with %s (file and stream formats): the statistics and normalized rows of the uncompressed file', async (compression) => {
    const table = pl.concat([frame(0, 120), frame(120, ROWS)], { rechunk: false, how: 'vertical' });
    table.writeIPC(at(`t-${compression}.arrow`), { compression });
    writeFileSync(at(`t-${compression}.arrows`), table.writeIPCStream({ compression }));
    for (const name of [`t-${compression}.arrow`, `t-${compression}.arrows`]) {
      expect(await stats([at(name)])).toEqual(await stats([at('t.arrow')]));
      expect(await bnInProcess(['normalize', at(name), '--to', 'csv'])).toEqual(await bnInProcess(['normalize', at('t.arrow'), '--to', 'csv']));
    }
  });

  it('compressed with lz4, a column of 200,000 doubles: many linked blocks in each buffer, the statistics of the uncompressed file', async () => {
    const x = pl.DataFrame([pl.Series('x', Array.from({ length: 200_000 }, (_, i) => (i % 1000) * 0.5 + Math.floor(i / 1000)), pl.Float64)]);
    x.writeIPC(at('big-lz4.arrow'), { compression: 'lz4' });
    x.writeIPC(at('big.arrow'));
    expect(readFileSync(at('big-lz4.arrow')).length).toBeLessThan(readFileSync(at('big.arrow')).length / 2);
    expect(await stats([at('big-lz4.arrow')])).toEqual(await stats([at('big.arrow')]));
  });

  it.each(['t.arrow', 't.arrows'])('%s on standard input: found by its magic bytes, the same statistics', async (name) => {
    expect(await stats(['-'], readFileSync(at(name)))).toEqual(await stats([at(name)]));
  });

  it('with no rows: what a CSV with only its header gives', async () => {
    const arrow = await bnInProcess(['stats', at('empty.arrow')]);
    const csv = await bnInProcess(['stats', at('empty.csv')]);
    expect(arrow.code).toBe(csv.code);
    expect(arrow.stderr).toBe(csv.stderr.replace('empty.csv', 'empty.arrow'));
  });
});

describe("bn's Arrow output, read by Polars", () => {
  it.each([
    ['out.arrow', 'file', (file: string) => pl.readIPC(readFileSync(file)), []],
    ['out.arrows', 'stream', (file: string) => pl.readIPCStream(readFileSync(file)), []],
    // --precision rounds each stored double as the CSV text reads back.
    ['precise.arrow', 'file, --precision 4', (file: string) => pl.readIPC(readFileSync(file)), ['--precision', '4']],
  ])('%s (the %s format): the rows, types and values of the CSV output', async (name, _, read, extra) => {
    const args = ['normalize', at('t.arrow'), '-s', '!i64,dec,code', ...(extra as string[])];
    expect((await bnInProcess([...args, '-o', at(name)])).stderr).toBe('');
    const [header, ...records] = csvRows((await bnInProcess([...args, '--to', 'csv'])).stdout);
    const df = read(at(name));
    expect(df.columns).toEqual(header);
    expect(Object.fromEntries(df.columns.map((c, j) => [c, dtype(df.dtypes[j])]))).toEqual({
      i32: 'Float64',
      i64: 'Int64',
      f32: 'Float64',
      f64: 'Float64',
      dec: 'Decimal(12,3)',
      code: 'String',
    });
    expect(df.height).toBe(records.length);
    header!.forEach((name, j) => {
      const numeric = dtype(df.dtypes[j]) === 'Float64';
      const values = numeric ? df.getColumn(name).toArray() : df.getColumn(name).cast(pl.Utf8).toArray();
      records.forEach((record, i) => {
        const cell = record[j]!;
        if (cell === '') expect(values[i], `${i} ${name}`).toBeNull();
        else expect(values[i], `${i} ${name}`).toBe(numeric ? Number(cell) : cell);
      });
    });
  });

  it('--to arrow to standard output is the stream format', async () => {
    const r = await shell(`$BN normalize ${at('t.arrow')} --to arrow > ${at('stdout.bin')}`);
    expect(r.code, r.stderr).toBe(0);
    expect(pl.readIPCStream(readFileSync(at('stdout.bin'))).height).toBe(ROWS);
  });
});

// The CSV bytes writer writes a columnar record's cells itself (src/pipeline/batch-writers.ts);
// the row writer through csv-stringify (BN_NO_FAST=1) is the reference it must match byte for byte.
describe('CSV/TSV output from Arrow: the bytes of the row writer', () => {
  beforeAll(() => {
    const n = 200;
    // Polars writes Utf8View: up to 12 bytes in the view itself, longer ones in a data buffer.
    const texts = ['plain', 'a,b', 'say "hi"', 'two\nlines', null, 'tab\there', 'x\ry', 'a longer text, "quoted", past twelve bytes', 'plain text of more than twelve bytes', 'naïve, and long enough'];
    pl.DataFrame([
      pl.Series('x', Array.from({ length: n }, (_, i) => nullEvery(4, i, i / 3)), pl.Float64),
      pl.Series('txt', Array.from({ length: n }, (_, i) => texts[i % texts.length]!), pl.Utf8),
      pl.Series('flag', Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0)), pl.Bool),
      pl.Series('id', Array.from({ length: n }, (_, i) => i), pl.Int32),
      pl.Series('big', Array.from({ length: n }, (_, i) => 2 ** 53 + i * 2), pl.Int64),
    ]).writeIPC(at('mixed.arrow'));
    // Polars writes text as Utf8View; apache-arrow (and pyarrow, DuckDB) as Utf8, whose cells the
    // CSV writer copies as bytes: text to quote, non-ASCII, a byte order mark, empty, null.
    const utf8Texts = [...texts, 'naïve', '\uFEFFbom', '', 'ça, "va"'];
    const table = new Table({
      x: vectorFromArray(Array.from({ length: n }, (_, i) => i / 7), new Float64()),
      txt: vectorFromArray(Array.from({ length: n }, (_, i) => utf8Texts[i % utf8Texts.length]!), new Utf8()),
    });
    writeFileSync(at('utf8.arrow'), tableToIPC(table, 'file'));
  });

  it('a Utf8 column (apache-arrow\'s writing): normalize --to csv and --to tsv', async () => {
    expect(String(tableFromIPC(readFileSync(at('utf8.arrow'))).schema.fields[1]!.type)).toBe('Utf8');
    for (const to of ['csv', 'tsv']) {
      const args = ['normalize', at('utf8.arrow'), '--to', to];
      const fast = await bnInProcess(args);
      expect(fast.code, fast.stderr).toBe(0);
      expect(fast.stdout).toContain('"ça, ""va"""');
      expect(fast).toEqual(await bnInProcess(args, '', { env: { BN_NO_FAST: '1' } }));
    }
  });

  it.each([
    ['--to csv', ['--to', 'csv']],
    ['--to tsv', ['--to', 'tsv']],
    ['--to csv --precision 3 -b 64', ['--to', 'csv', '--precision', '3', '-b', '64']],
    ['--to csv -s x (integers passed through)', ['--to', 'csv', '-s', 'x']],
  ])('normalize %s', async (_name, flags) => {
    const args = ['normalize', at('mixed.arrow'), ...flags];
    const fast = await bnInProcess(args);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast).toEqual(await bnInProcess(args, '', { env: { BN_NO_FAST: '1' } }));
  });
});

describe('dates, times and timestamps from Arrow', () => {
  it('pass through as their own text with every digit of their unit (apache-arrow\'s get() makes them milliseconds, a float), Polars\' datetimes too; Arrow output keeps their types', async () => {
    const table = new Table({
      x: vectorFromArray([1.5, 2.5, 4], new Float64()),
      ts: makeVector({ type: new TimestampMicrosecond(), data: new BigInt64Array([1577836800123456n, 0n, -1n]) }),
      tz: makeVector({ type: new TimestampNanosecond('Asia/Kolkata'), data: new BigInt64Array([1577836800123456789n, 0n, -1n]) }),
      d: makeVector({ type: new DateDay(), data: new Int32Array([18262, 0, -1]) }),
      dm: makeVector({ type: new DateMillisecond(), data: new BigInt64Array([1577836800000n, 0n, -86400000n]) }),
      tm: makeVector({ type: new TimeMicrosecond(), data: new BigInt64Array([45296789012n, 0n, 1n]) }),
    });
    writeFileSync(at('temporal.arrow'), tableToIPC(table, 'file'));
    const r = await bnInProcess(['normalize', at('temporal.arrow'), '--to', 'csv']);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout).map((cells) => cells.slice(1))).toEqual([
      ['ts', 'tz', 'd', 'dm', 'tm'],
      ['2020-01-01T00:00:00.123456', '2020-01-01T00:00:00.123456789Z', '2020-01-01', '2020-01-01', '12:34:56.789012'],
      ['1970-01-01T00:00:00.000000', '1970-01-01T00:00:00.000000000Z', '1970-01-01', '1970-01-01', '00:00:00.000000'],
      ['1969-12-31T23:59:59.999999', '1969-12-31T23:59:59.999999999Z', '1969-12-31', '1969-12-31', '00:00:00.000001'],
    ]);
    // Arrow output keeps the types and the integers (a date64 is written as a date32: the same days).
    expect((await bnInProcess(['normalize', at('temporal.arrow'), '-o', at('temporal-out.arrow')])).code).toBe(0);
    const back = tableFromIPC(readFileSync(at('temporal-out.arrow')));
    // The time zone as the file names it (the instants are UTC; the zone is how to show them).
    expect(back.schema.fields.map((f) => String(f.type))).toEqual(['Float64', 'Timestamp<MICROSECOND>', 'Timestamp<NANOSECOND, Asia/Kolkata>', 'Date32<DAY>', 'Date32<DAY>', 'Time64<MICROSECOND>']);
    expect([...back.getChild('tz')!.data[0]!.values]).toEqual([1577836800123456789n, 0n, -1n]);
    expect([...back.getChild('dm')!.data[0]!.values].slice(0, 3)).toEqual([18262, 0, -1]);
    // nodejs-polars makes a JavaScript Date a datetime of milliseconds: three digits.
    const df = pl.DataFrame({ x: [1, 2], when: [new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 123)), new Date(0)] });
    df.writeIPC(at('polars-dates.arrow'));
    const p = await bnInProcess(['normalize', at('polars-dates.arrow'), '--to', 'csv']);
    expect(p.stderr).toBe('');
    expect(csvRows(p.stdout).map((cells) => cells[1])).toEqual(['when', '2020-01-01T00:00:00.123', '1970-01-01T00:00:00.000']);
  });

  it('a nested column (a list, a struct) is refused naming it, as in Parquet (it became JSON text in a string, its int64s quoted)', async () => {
    const df = pl.DataFrame({ x: [1.5, 2.5], li: [[1, 2], [3]] });
    df.writeIPC(at('nested-list.arrow'));
    const table = new Table({ x: vectorFromArray([1.5, 2.5], new Float64()), st: vectorFromArray([{ a: 1 }, { a: 2 }]) });
    writeFileSync(at('nested-struct.arrow'), tableToIPC(table, 'file'));
    for (const [file, column] of [['nested-list.arrow', 'li'], ['nested-struct.arrow', 'st']] as const) {
      for (const args of [['stats'], ['normalize', '--to', 'ndjson'], ['normalize', '-s', 'x']]) {
        const r = await bnInProcess([...args, at(file)]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`bn: ${at(file)}: column "${column}": nested Arrow columns (lists, structs, maps, unions) are not supported\n`);
      }
    }
  });

  it('a duration is an ISO 8601 duration with its unit\'s digits (it was a bare count, its unit lost), text in every output', async () => {
    const duration = (unit: TimeUnit, values: bigint[]) => makeVector(makeData({ type: new Duration(unit), length: values.length, nullCount: 0, data: new BigInt64Array(values) }));
    const table = new Table({
      x: vectorFromArray([1.5, 2.5, 4], new Float64()),
      ms: duration(TimeUnit.MILLISECOND, [1500n, -250n, 86_400_000n]),
      s: duration(TimeUnit.SECOND, [3n, 0n, -3600n]),
      ns: duration(TimeUnit.NANOSECOND, [1n, -1_000_000_001n, 0n]),
    });
    writeFileSync(at('duration.arrow'), tableToIPC(table, 'file'));
    const want = [
      ['ms', 's', 'ns'],
      ['PT1.500S', 'PT3S', 'PT0.000000001S'],
      ['-PT0.250S', 'PT0S', '-PT1.000000001S'],
      ['PT86400.000S', '-PT3600S', 'PT0.000000000S'],
    ];
    const r = await bnInProcess(['normalize', at('duration.arrow'), '--to', 'csv']);
    expect(r.stderr).toBe('');
    expect(csvRows(r.stdout).map((cells) => cells.slice(1))).toEqual(want);
    for (const out of ['duration-out.arrow', 'duration-out.parquet']) {
      expect((await bnInProcess(['normalize', at('duration.arrow'), '-o', at(out)])).code).toBe(0);
      const again = await bnInProcess(['normalize', at(out), '--to', 'csv']);
      expect(csvRows(again.stdout).map((cells) => cells.slice(1))).toEqual(want);
    }
  });
});

describe('a corrupt Arrow file', () => {
  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    // The stream's schema message; the file's footer (its own copy of the schema, and where the batches are).
    ['its schema overwritten', (b: Buffer) => (b[0] === 0xff ? Buffer.concat([b.subarray(0, 8), Buffer.alloc(64, 0x7f), b.subarray(72)]) : Buffer.concat([b.subarray(0, -74), Buffer.alloc(64, 0x7f), b.subarray(-10)]))],
  ])('%s: one bn: line naming the file, exit 1, no output file', async (what, damage) => {
    for (const name of ['t.arrow', 't.arrows']) {
      const file = at(`bad-${what.replace(/\W/g, '')}-${name}`);
      writeFileSync(file, damage(readFileSync(at(name))));
      const out = `${file}.out.csv`;
      for (const args of [['stats', file], ['normalize', file, '-o', out]]) {
        const r = await bnInProcess(args);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr.startsWith(`bn: ${file}: `), r.stderr).toBe(true);
        expect(r.stderr.split('\n'), r.stderr).toHaveLength(2);
        expect(r.stdout).toBe('');
        expect(existsSync(out)).toBe(false);
      }
    }
  });

  it('an LZ4-compressed batch with a bit flipped: its checksum says so in one bn: line, exit 1, no output file (SPEC §6)', async () => {
    const file = at('bad-lz4.arrow');
    frame(0, ROWS).writeIPC(file, { compression: 'lz4' });
    const bytes = readFileSync(file);
    const magic = bytes.indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18])); // the first LZ4 frame
    expect(magic).toBeGreaterThan(0);
    bytes[magic + 20]! ^= 1; // inside its first block
    writeFileSync(file, bytes);
    const out = `${file}.out.csv`;
    for (const args of [['stats', file], ['normalize', file, '-o', out]]) {
      const r = await bnInProcess(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bn: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*lz4: (block|content) checksum mismatch\n$`));
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('values bn refuses (SPEC §2)', () => {
  it.each([
    ['a Float64 column', pl.Float64],
    ['a Float32 column', pl.Float32],
  ])('an infinite value in %s: an invalid value naming its row and column, exit 1', async (what, dtype) => {
    const file = at(`inf-${what.replace(/\W/g, '')}.arrow`);
    const x = Array.from({ length: 100 }, (_, i) => (i === 41 ? Infinity : i));
    pl.DataFrame([pl.Series('w', x.map((_, i) => i), pl.Float64), pl.Series('x', x, dtype)]).writeIPC(file);
    const r = await bnInProcess(['stats', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`bn: ${file}[41] (column "x"): not a finite number: Infinity\n`);
  });
});
