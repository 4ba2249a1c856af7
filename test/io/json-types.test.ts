/**
 * JSON/NDJSON output of CSV/TSV input: a pass-through cell that reads as a number is a JSON
 * number (as Miller writes `"id":1`), text stays text, a missing feature cell is null; JSON input
 * keeps its own values, strings that look like numbers included.
 */
import { describe, expect, it } from 'vitest';
import { textAsJson } from '../../src/io/json-writer.js';
import { bnInProcess } from '../helpers/run-bn.js';

describe('textAsJson', () => {
  it.each([
    ['1', '1'],
    ['-2.5', '-2.5'],
    ['1.50', '1.50'], // JSON's syntax already: its own digits
    ['12345678901234567890', '12345678901234567890'],
    ['1e5', '1e5'],
    ['+2', '2'], // a number, not in JSON's syntax: its shortest form
    ['.5', '0.5'],
    ['5.', '5'],
    [' 7 ', '7'],
    ['007', '"007"'], // leading zeros: an identifier
    ['-01', '"-01"'],
    ['0', '0'],
    ['0.25', '0.25'],
    ['1e999', '"1e999"'], // beyond float64: not written as a number JSON readers would take as Infinity
    ['NaN', '"NaN"'],
    ['', '""'],
    ['NA', '"NA"'],
    ['0x10', '"0x10"'],
    ['1,5', '"1,5"'],
    ['abc', '"abc"'],
  ])('%j → %s', (text, json) => {
    expect(textAsJson(text)).toBe(json);
    expect(() => JSON.parse(textAsJson(text))).not.toThrow();
  });
});

describe('JSON output keeps the types of pass-through cells', () => {
  const CSV = 'id,price,qty,name,zip\n1,2.5,7,ann,007\n2,3.5,,bob,010\n3,NA,9,1e3x,011\n';

  it('CSV → JSON and NDJSON: numbers as numbers, text and empty cells as text, a missing feature null', async () => {
    for (const to of ['json', 'ndjson']) {
      const r = await bnInProcess(['normalize', '-s', 'price', '--to', to], CSV);
      expect(r.code, r.stderr).toBe(0);
      const records = to === 'json' ? JSON.parse(r.stdout) : r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(records.map((o: Record<string, unknown>) => [o.id, o.qty, o.name, o.zip])).toEqual([
        [1, 7, 'ann', '007'],
        [2, '', 'bob', '010'],
        [3, 9, '1e3x', '011'],
      ]);
      expect(records[2].price).toBeNull();
      expect(records[0].price).toBeCloseTo(-1, 4); // ε = 1e-5 by default
    }
    const tsv = await bnInProcess(['normalize', '--from', 'tsv', '-s', 'x', '--to', 'ndjson'], 'id\tx\n1\t5\n2\t7\n');
    expect(tsv.stdout).toMatch(/^\{"id":1,"x":-0\.99999\d*\}\n\{"id":2,"x":0\.99999\d*\}\n$/);
  });

  it('JSON input keeps its values: a string that reads as a number stays a string', async () => {
    const r = await bnInProcess(['normalize', '-s', 'x', '--to', 'ndjson'], '{"id":"1","x":5}\n{"id":2,"x":7}\n');
    expect(r.stdout).toMatch(/^\{"id":"1","x":-0\.99999\d*\}\n\{"id":2,"x":0\.99999\d*\}\n$/);
  });
});
