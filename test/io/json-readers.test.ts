/**
 * The JSON and NDJSON readers: records to rows (columns, absent keys, key order), chunking of
 * large inputs, and every malformed input with its code and location.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonSource } from '../../src/io/json-reader.js';
import { ndjsonSource } from '../../src/io/ndjson-reader.js';
import type { Row, TableSource } from '../../src/io/table.js';
import { MAX_DEPTH } from '../../src/io/json-records.js';
import { bnInProcess, expectBnError, type ExpectedError } from '../helpers/run-bn.js';

/** The input as a stream of small byte chunks, so that tokens and lines are cut mid-way. */
function bytes(text: string, size = 7): Readable {
  const buffer = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(buffer.length / size) }, (_, i) => buffer.subarray(i * size, (i + 1) * size)));
}

async function readAll(source: TableSource): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const chunk of source.chunks()) rows.push(...chunk);
  return rows;
}

const json = (text: string) => jsonSource(bytes(text), 'd.json');
const ndjson = (text: string) => ndjsonSource(bytes(text), 'd.ndjson');

describe('JSON arrays of objects', () => {
  it('columns are the union of keys in first-seen order; rows keep their own key order', async () => {
    const source = json('[{"a":1,"b":"x"},{"b":"y","c":{"n":[1]}},{"c":null,"a":3}]');
    const rows = await readAll(source);
    expect(source.columns).toEqual(['a', 'b', 'c']);
    expect(source.keyed).toBe(true);
    expect(rows.map((r) => r.keys)).toEqual([[0, 1], [1, 2], [2, 0]]);
    expect(rows[1]!.cells[0]).toBeUndefined(); // absent key
    expect(rows[1]!.cells[2]).toEqual({ n: [1] });
    expect(rows[2]!.cells[2]).toBeNull();
    expect(rows.map((r) => r.record)).toEqual([0, 1, 2]);
  });

  it('a key first seen in record 500 adds a column then', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => (i === 500 ? { x: i, w: 1 } : { x: i }));
    const source = json(JSON.stringify(records));
    const rows = await readAll(source);
    expect(source.columns).toEqual(['x', 'w']);
    expect(rows).toHaveLength(1000);
    expect(rows[499]!.cells).toHaveLength(1);
    expect(rows[500]!.cells).toEqual([500, 1]);
  });

  it('arrays: columns 1, 2, …; the array is the row', async () => {
    const source = json('\ufeff [[1,"a",true],[2,null,false]] \n');
    const rows = await readAll(source);
    expect(source.columns).toEqual(['1', '2', '3']);
    expect(source.keyed).toBe(false);
    expect(rows.map((r) => r.cells)).toEqual([[1, 'a', true], [2, null, false]]);
  });

  it('streams: a large array arrives in chunks of at most 512 rows', async () => {
    const n = 5000;
    const source = jsonSource(Readable.from([Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => [i, i * 2])))]), 'big.json');
    let rows = 0;
    for await (const chunk of source.chunks()) {
      expect(chunk.length).toBeLessThanOrEqual(512);
      rows += chunk.length;
    }
    expect(rows).toBe(n);
  });
});

describe('NDJSON', () => {
  it('one record a line; blank lines and a BOM skipped; CRLF; line numbers kept', async () => {
    const source = ndjson('\ufeff{"a":1}\r\n\r\n   \n{"b":"x","a":2}\n{"a":3}');
    const rows = await readAll(source);
    expect(source.columns).toEqual(['a', 'b']);
    expect(rows.map((r) => [r.line, r.keys, r.record])).toEqual([[1, [0], undefined], [4, [1, 0], undefined], [5, [0], undefined]]);
  });

  it('arrays, one a line', async () => {
    const source = ndjson('[1,2]\n[3,4]\n');
    expect((await readAll(source)).map((r) => r.cells)).toEqual([[1, 2], [3, 4]]);
    expect(source.columns).toEqual(['1', '2']);
  });
});

describe('malformed JSON input', () => {
  it.each<[string, string, ExpectedError]>([
    ['a trailing comma', '[{"a":1},{"a":2},]', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 2 }, message: /^invalid JSON at byte offset 17: unexpected "\]"$/ }],
    ['a missing colon', '[{"a":1},{"a" 2}]', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 1 }, message: /^invalid JSON at byte offset 14: unexpected 2$/ }],
    ['a bad literal', '[{"a":tru}]', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 0 }, message: /^invalid JSON at byte offset 9: unexpected "}"$/ }],
    ['an unclosed array', '[{"a":1},{"a":2}', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 2 }, message: /unexpected end of input/ }],
    ['an unclosed string', '[{"a":"x', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 0 }, message: /unexpected end of input/ }],
    ['text after the array', '[[1]] [[2]]', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.json', record: 1 }, message: /byte offset 6: unexpected "\["/ }],
    ['a top-level object', '{"a":1}', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json' }, message: /found an object \(for one object a line, use --from ndjson\)/ }],
    ['a top-level number', '42', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json' }, message: /expected a JSON array of records, found 42/ }],
    ['an array of numbers', '[1,2]', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json', record: 0 }, message: /must be a JSON object or array, found a number 1$/ }],
    ['a null record', '[{"a":1},null]', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json', record: 1 }, message: /found null null$/ }],
    ['an array after objects', '[{"a":1},[2]]', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json', record: 1 }, message: /found an array after records that are objects/ }],
    ['a ragged array', '[[1,2],[3,4],[5]]', { code: 'BN_RAGGED_ROW', exit: 1, location: { file: 'd.json', record: 2 }, message: /^expected 2 values, found 1$/ }],
    ['an empty input', ' \n', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: 'd.json' }, message: /the input is empty/ }],
    ['an empty array', '[]', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: 'd.json' }, message: /holds no records/ }],
  ])('JSON: %s', async (_name, text, expected) => {
    await expectBnError(readAll(json(text)), expected);
  });

  it.each<[string, string, ExpectedError]>([
    ['a syntax error', '{"a":1}\n{"a":2,}\n', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.ndjson', line: 2, column: 8 }, message: /^invalid JSON: unexpected "}"$/ }],
    ['a truncated last line', '{"a":1}\n{"a":', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.ndjson', line: 2, column: 6 }, message: /^invalid JSON: unexpected end of input$/ }],
    ['two records on a line', '{"a":1} {"a":2}\n', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.ndjson', line: 1, column: 9 }, message: /^invalid JSON: unexpected "\{"$/ }],
    ['a bad literal, with a wide character before it', '{"é":tru}\n', { code: 'BN_MALFORMED_JSON', exit: 1, location: { file: 'd.ndjson', line: 1, column: 9 }, message: /^invalid JSON: unexpected "}"$/ }],
    ['a string line', '{"a":1}\n\n"x"\n', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.ndjson', line: 3 }, message: /found a string "x"$/ }],
    ['a number line', '7\n', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.ndjson', line: 1 }, message: /found a number 7$/ }],
    ['an object after arrays', '[1]\n{"a":1}\n', { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.ndjson', line: 2 }, message: /found an object after records that are arrays/ }],
    ['a ragged array', '[1,2]\n[3]\n', { code: 'BN_RAGGED_ROW', exit: 1, location: { file: 'd.ndjson', line: 2 }, message: /^expected 2 values, found 1$/ }],
    ['only blank lines', '\n \r\n\n', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: 'd.ndjson' }, message: /no records/ }],
    ['an empty input', '', { code: 'BN_EMPTY_INPUT', exit: 1, location: { file: 'd.ndjson' }, message: /no records/ }],
  ])('NDJSON: %s', async (_name, text, expected) => {
    await expectBnError(readAll(ndjson(text)), expected);
  });
});

describe('nesting depth (MAX_DEPTH levels; the record is level 1)', () => {
  /** `inner` inside `levels` arrays. */
  const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);
  const tooDeep = /^the record is nested more than 1000 levels deep$/;

  it('a record MAX_DEPTH deep is read, and written back by normalize', async () => {
    expect(MAX_DEPTH).toBe(1000);
    const deepest = nested(MAX_DEPTH - 1); // in the record: MAX_DEPTH levels
    const rows = await readAll(ndjson(`{"a":1,"d":${deepest}}\n{"a":3,"d":[]}\n`));
    expect(JSON.stringify(rows[0]!.cells[1])).toBe(deepest);
    const r = await bnInProcess(['normalize', '--from', 'ndjson'], `{"a":1,"d":${deepest}}\n{"a":3,"d":[]}\n`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`{"a":-0.9999950000374996,"d":${deepest}}\n{"a":0.9999950000374996,"d":[]}\n`);
  });

  // Both parsers take any depth; writing such a value back (JSON.stringify) overflowed the stack.
  it.each([
    ['one level more, in an array record', '[0]', `[${nested(MAX_DEPTH)}]`],
    ['one level more, in an object record', '{"a":0}', `{"a":${nested(MAX_DEPTH - 1, '{"b":1}')}}`],
    ['100,000 levels', '[0]', `[${nested(100_000)}]`],
  ])('%s: refused with the record', async (_name, first, deep) => {
    await expectBnError(readAll(json(`[${first},${deep}]`)), { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.json', record: 1 }, message: tooDeep });
    await expectBnError(readAll(ndjson(`${first}\n${deep}\n`)), { code: 'BN_BAD_RECORD', exit: 1, location: { file: 'd.ndjson', line: 2 }, message: tooDeep });
  });
});

describe('a read error of the input', () => {
  it.each([
    ['JSON', (input: Readable) => jsonSource(input, 'd.json'), 'd.json'],
    ['NDJSON', (input: Readable) => ndjsonSource(input, 'd.ndjson'), 'd.ndjson'],
  ])('%s: BN_READ_FAILED naming the file', async (_name, open, file) => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('i/o error'), { code: 'EIO' }));
      },
    });
    await expectBnError(readAll(open(failing)), { code: 'BN_READ_FAILED', exit: 1, location: { file }, message: /^cannot read: input\/output error \(the disk or the file system failed\)$/ });
  });
});
