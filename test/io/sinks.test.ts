/**
 * The writers, driven directly: what each output format makes of text cells, JSON values,
 * missing cells and normalized numbers.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { numberFormatter } from '../../src/io/format-number.js';
import { OutputWriter } from '../../src/io/output-writer.js';
import { openSink } from '../../src/io/formats.js';
import type { Format, Row } from '../../src/io/table.js';
import type { TableLayout } from '../../src/io/table-sink.js';
import { expectBnError } from '../helpers/run-bn.js';

async function write(to: Format, layout: Partial<TableLayout> & { columns: string[] }, rows: Row[], precision?: number): Promise<string> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  const sink = await openSink(to, new OutputWriter(stream), { formatNumber: numberFormatter(precision) });
  await sink.start({ features: [], keyed: true, from: 'json', label: 'in', width: layout.columns.length, ...layout });
  // Two calls: the JSON array's commas must join chunks too.
  await sink.rows(rows.slice(0, 1));
  await sink.rows(rows.slice(1));
  await sink.end();
  return text;
}

const objectRows = (): Row[] => [
  { cells: [0.5, 'x', { n: [1, null] }, true], line: 0, record: 0, keys: [3, 0, 1, 2] },
  { cells: [null, undefined, 7], line: 0, record: 1, keys: [2, 0] },
];
const objects = { columns: ['a', 'b', 'c', 'd'], features: [0] };

describe('JSON objects', () => {
  it('to JSON: same keys in the same order, absent keys absent, every value as it was', async () => {
    expect(await write('json', objects, objectRows())).toBe(
      '[\n{"d":true,"a":0.5,"b":"x","c":{"n":[1,null]}},\n{"c":7,"a":null}\n]\n',
    );
  });

  it('to NDJSON: one object a line', async () => {
    expect(await write('ndjson', objects, objectRows())).toBe('{"d":true,"a":0.5,"b":"x","c":{"n":[1,null]}}\n{"c":7,"a":null}\n');
  });

  it('to CSV: a header; strings as text, other values as JSON text, null and absent empty', async () => {
    expect(await write('csv', objects, objectRows())).toBe('a,b,c,d\n0.5,x,"{""n"":[1,null]}",true\n,,7,\n');
  });

  it('a pass-through number beyond float64 (read as Infinity) is written as 1e999', async () => {
    const rows: Row[] = [{ cells: [1, Infinity, -Infinity], line: 0, record: 0, keys: [0, 1, 2] }];
    expect(await write('ndjson', { columns: ['f', 'p', 'q'], features: [0] }, rows)).toBe('{"f":1,"p":1e999,"q":-1e999}\n');
    expect(await write('csv', { columns: ['f', 'p', 'q'], features: [0] }, rows)).toBe('f,p,q\n1,1e999,-1e999\n');
  });

  it('--precision rounds the features only, never a pass-through number', async () => {
    const rows: Row[] = [{ cells: [0.123456789, 0.123456789], line: 0, record: 0, keys: [0, 1] }];
    expect(await write('json', { columns: ['f', 'p'], features: [0] }, rows, 3)).toBe('[\n{"f":0.123,"p":0.123456789}\n]\n');
    expect(await write('csv', { columns: ['f', 'p'], features: [0] }, rows, 3)).toBe('f,p\n0.123,0.123456789\n');
  });

  it('a key that first appears after the header was written: JSON takes it, CSV cannot', async () => {
    const late = async (to: Format) => {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (b: Buffer) => (text += b.toString()));
      const sink = await openSink(to, new OutputWriter(stream), { formatNumber: String });
      const columns = ['a'];
      await sink.start({ columns, width: 1, features: [0], keyed: true, from: 'json', label: 'in.json' });
      columns.push('w'); // the reader's live column list grows after the start (with -b)
      await sink.rows([
        { cells: [1], line: 0, record: 0, keys: [0] },
        { cells: [2, 'late'], line: 0, record: 1, keys: [0, 1] },
      ]);
      await sink.end();
      return text;
    };
    expect(await late('ndjson')).toBe('{"a":1}\n{"a":2,"w":"late"}\n');
    await expectBnError(late('csv'), {
      code: 'BN_LATE_COLUMN',
      exit: 1,
      location: { file: 'in.json', record: 1, name: 'w' },
      message: /first appears after the CSV header was written/,
    });
  });
});

describe('CSV text', () => {
  const rows = (): Row[] => [
    { cells: ['ann', -0.5, 'say "hi", twice'], line: 2 },
    { cells: ['', 'NA', ''], line: 3 },
  ];
  const csv = { columns: ['name', 'x', 'note'], features: [1], from: 'csv' as const };

  it('to JSON objects: text as strings, missing feature cells null', async () => {
    expect(await write('json', csv, rows())).toBe('[\n{"name":"ann","x":-0.5,"note":"say \\"hi\\", twice"},\n{"name":"","x":null,"note":""}\n]\n');
  });

  it('without a header (-n): JSON arrays', async () => {
    expect(await write('ndjson', { ...csv, keyed: false }, rows())).toBe('["ann",-0.5,"say \\"hi\\", twice"]\n["",null,""]\n');
  });

  it('to CSV and TSV: missing cells written back as they were, quoting where needed', async () => {
    expect(await write('csv', csv, rows())).toBe('name,x,note\nann,-0.5,"say ""hi"", twice"\n,NA,\n');
    expect(await write('tsv', csv, rows())).toBe('name\tx\tnote\nann\t-0.5\t"say ""hi"", twice"\n\tNA\t\n');
    expect(await write('csv', { ...csv, keyed: false }, rows())).toBe('ann,-0.5,"say ""hi"", twice"\n,NA,\n');
  });
});

describe('Arrow output keeps pace with its output', () => {
  it.each([
    ['the file format', 'out.arrow'],
    ['the stream format', undefined],
  ])('%s: a record batch is taken by the output before the sink asks for more rows', async (_name, path) => {
    // An output that takes its time: each chunk is taken a turn of the event loop later.
    const stream = new PassThrough({ highWaterMark: 1 });
    let taken = 0;
    stream.on('data', (b: Buffer) => (taken += b.length));
    const out = new OutputWriter(stream);
    const sink = await openSink('arrow', out, { formatNumber: numberFormatter(undefined), path });
    await sink.start({ features: [0], keyed: true, from: 'csv', label: 'in', width: 1, columns: ['x'] });
    // More than a record batch (65,536 rows): one is made and written while rows() runs.
    const rows: Row[] = Array.from({ length: 70_000 }, (_, i) => ({ cells: [i / 3], line: 0, record: i }));
    await sink.rows(rows);
    // Its 65,536 doubles (512 KiB) are out, not queued in memory behind the sink's back.
    expect(taken).toBeGreaterThan(65_536 * 8);
    await sink.end();
  });
});
