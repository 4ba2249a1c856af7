/**
 * The NDJSON byte reader (flat objects read from their bytes) against the text reader (JSON.parse
 * on every line), on generated NDJSON fed in random chunks: the same rows (cells, line, keys), the
 * same columns, the same error (code, message, location) after the same rows. Then bn itself,
 * with and without BN_NO_FAST=1: the same statistics, normalized output and errors.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import { keyBytes, scanFlatObject } from '../../src/io/fast/flat-object-line.js';
import { RecordTable } from '../../src/io/json-records.js';
import { RawNumber } from '../../src/io/json-number.js';
import { NdjsonLines, type LineSink } from '../../src/io/ndjson-lines.js';
import type { Cell } from '../../src/io/table.js';
import { ndjsonSource } from '../../src/io/ndjson-reader.js';
import { utf8Checked } from '../../src/io/utf8.js';
import { document, numberText } from '../helpers/ndjson-documents.js';
import { chunked } from '../helpers/read-all.js';
import { bnInProcess } from '../helpers/run-bn.js';

const SEED = 1616;

interface Read {
  columns: string[];
  rows: { cells: unknown[]; line: number; keys?: number[] }[];
  error?: { code: string; message: string; location: unknown };
}

/** -0 and 0 differ in what bn computes: keep them apart (toEqual would not). */
const exact = (cell: unknown) => (Object.is(cell, -0) ? '-0' : cell);

async function readNdjson(bytes: Buffer, cuts: number[], fast: boolean): Promise<Read> {
  const source = ndjsonSource(Readable.from(utf8Checked(chunked(bytes, cuts), 'x.ndjson'), { objectMode: false }), 'x.ndjson', fast);
  const rows: Read['rows'] = [];
  try {
    for await (const chunk of source.chunks()) {
      for (const row of chunk) rows.push({ cells: Array.from(row.cells, exact), line: row.line, keys: row.keys && [...row.keys] });
    }
  } catch (err) {
    if (!(err instanceof BnError)) throw err;
    return { columns: [...source.columns], rows, error: { code: err.code, message: err.message, location: err.location } };
  }
  return { columns: [...source.columns], rows };
}

async function expectSameReads(text: string, cuts: number[] = []): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  const general = await readNdjson(bytes, cuts, false);
  const fast = await readNdjson(bytes, cuts, true);
  expect(fast).toEqual(general);
}

/**
 * The rule of RawNumber, written out from its statement: beyond float64, or 0 from digits that are
 * not all 0, or more than 17 significant digits, or 16–17 from 2^52 on, whose shortest form is
 * other text.
 */
function keepsText(text: string, value: number): boolean {
  const mantissa = text.replace(/^-/, '').replace(/[eE].*$/, '');
  if (!Number.isFinite(value)) return true;
  if (value === 0) return /[1-9]/.test(mantissa);
  const significant = mantissa.replace('.', '').replace(/^0+/, '').length;
  return (significant > 17 || (significant > 15 && Math.abs(value) >= 2 ** 52)) && String(value) !== text;
}

describe('a flat object line read from its bytes', () => {
  /** What JSON.parse makes of the line `{"a":TEXT}`, and what the scanner does (undefined: declined). */
  const both = (text: string) => {
    const line = `{"a":${text}}`;
    let parsed: unknown;
    try {
      parsed = (JSON.parse(line) as { a: unknown }).a;
    } catch {
      parsed = 'refused';
    }
    const cells: unknown[] = [];
    const bytes = Buffer.from(line, 'latin1');
    const taken = scanFlatObject(bytes, 0, bytes.length, [keyBytes('a')!], cells as never[]);
    return { parsed, taken, cell: cells[0] };
  };

  it('takes a number JSON takes, with the value JSON.parse gives, and no number JSON refuses', () => {
    fc.assert(
      fc.property(numberText, (text) => {
        const { parsed, taken, cell } = both(text);
        if (parsed === 'refused') expect(taken).toBe(false);
        else if (keepsText(text, parsed as number)) {
          // A number whose double loses digits: its text and that double.
          expect(taken).toBe(true);
          expect(cell).toBeInstanceOf(RawNumber);
          expect((cell as RawNumber).text).toBe(text);
          expect(Object.is((cell as RawNumber).value, parsed)).toBe(true);
        } else {
          expect(taken).toBe(true);
          expect(Object.is(cell, parsed)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});

describe('NDJSON byte reader against the text reader', () => {
  it.each([
    ['flat objects', '{"a":1,"b":"x"}\n{"a":2.5,"b":null}\n'],
    ['a BOM and CRLF', '\ufeff{"a":1}\r\n{"a":-0}\r\n'],
    ['a blank line and a last line without a break', '{"a":1}\n\n  \n{"a":3e2}'],
    ['a key first seen later', '{"a":1}\n{"a":2,"b":3}\n{"a":4,"b":5}\n'],
    ['a duplicate key', '{"a":1,"b":2}\n{"a":1,"a":2}\n'],
    ['keys in another order', '{"a":1,"b":2}\n{"b":3,"a":4}\n'],
    ['a number JSON refuses, after good lines', '{"a":1}\n{"a":2}\n{"a":01}\n'],
    ['a number past float64', '{"a":1}\n{"a":1e999}\n'],
    ['an escape', '{"a":"x"}\n{"a":"\\u0031"}\n'],
    ['arrays', '[1,2]\n[3,4]\n'],
    ['an object after arrays', '[1]\n{"a":1}\n'],
    ['a nested value', '{"a":1}\n{"a":{"b":[1]}}\n'],
    ['only blank lines', '\n \n'],
    ['empty', ''],
  ])('%s', async (_name, text) => {
    await expectSameReads(text);
  });

  it('read generated NDJSON alike, in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        document.chain((text) => fc.record({ text: fc.constant(text), cuts: fc.array(fc.nat({ max: Buffer.byteLength(text) }), { maxLength: 4 }) })),
        async ({ text, cuts }) => expectSameReads(text, cuts),
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('a line too long is refused at the same line, by UTF-16 length as the text reader counts it', async () => {
    // Not generated: 64 MiB lines. One check that the byte reader counts characters, not bytes.
    const { MAX_RECORD_BYTES } = await import('../../src/io/fast/csv-scanner.js');
    const wide = 'é'.repeat(MAX_RECORD_BYTES / 2 + 16); // within the limit in characters, past it in bytes
    await expectSameReads(`{"a":1}\n{"a":"${wide}"}\n`, [1 << 16, 1 << 20, 1 << 24]);
  }, 60_000);
});

describe('bn with and without the NDJSON byte reader', () => {
  it('prints the same statistics, normalized output and errors', async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.constantFrom(['stats', '--to', 'json'], ['normalize', '--to', 'ndjson'], ['normalize', '--to', 'csv']), async (text, args) => {
        const general = await bnInProcess([...args, '--from', 'ndjson'], text, { env: { BN_NO_FAST: '1' } });
        const fast = await bnInProcess([...args, '--from', 'ndjson'], text);
        expect(fast).toEqual(general);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe('a line too long for a worker', () => {
  it('is given to longLine before any text of it is made (flat or not), with its number; shorter lines are read', () => {
    const table = RecordTable.ofObjects('x.ndjson', ['a']);
    const rows: Cell[][] = [];
    const sink: LineSink = { cells: () => [], flat: (cells) => rows.push([...cells]), row: (row) => rows.push(row.cells) };
    const taken: number[] = [];
    const lines = new NdjsonLines(table, 'x.ndjson', sink, (text) => JSON.parse(text), 1, {
      bytes: 20,
      take(line): never {
        taken.push(line);
        throw new Error('handed back');
      },
    });
    expect(() => lines.push(Buffer.from(`{"a":1}\n{"a":2,"b":[1]}\n{"a":"${'y'.repeat(30)}"}\n{"a":4}\n`))).toThrow('handed back');
    expect(taken).toEqual([3]);
    expect(rows).toEqual([[1], [2, [1]]]);
  });
});
