/**
 * NumericLines against what it replaces: CsvScanner finding the fields, then CellValues parsing
 * each feature cell (parseDecimalBytes, or the text way for markers and bad values). On any line
 * it takes, the fields must be the scanner's (same ranges, same kind) and every feature value
 * the same double (Object.is: -0 is not 0); a line the scanner path would reject (ragged, a bad
 * value) or read otherwise (blank, special characters) must be left to it (−1).
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecord, CsvScanner, RecordDelimiter } from '../../../src/io/fast/csv-scanner.js';
import { NumericLines } from '../../../src/io/fast/numeric-lines.js';
import { missingTest } from '../../../src/io/missing.js';
import { makePlan } from '../../../src/pipeline/feature-plan.js';
import { CellValues } from '../../../src/pipeline/fast/cell-values.js';
import { fixedColumns } from '../../../src/pipeline/select.js';
import { freeText, missingText, numberText } from '../../helpers/csv-documents.js';

const SEED = 20241128;
const NA = ['NA', 'N/A', 'NaN', 'nan', 'null', ''];

/** The scanner path on one line: its records (with their fields), and each feature's value or the error. */
function scannerPath(line: string, width: number, features: number[], delimiter: string) {
  const columns = Array.from({ length: width }, (_, j) => `c${j}`);
  const layout = { columns, width, label: 'test.csv', keyed: true, format: 'csv' as const };
  const plan = makePlan(layout, { isMissing: missingTest(NA), select: undefined }, fixedColumns(features));
  const values = new CellValues(plan, null);
  const records: { fields: [number, number, number][]; values: (number | string)[] }[] = [];
  const scanner = new CsvScanner({ delimiter, recordDelimiter: RecordDelimiter.Lf, bom: false }, (record) => {
    const fields: [number, number, number][] = [];
    for (let j = 0; j < record.length; j++) fields.push([record.start(j), record.end(j), record.kind(j)]);
    const parsed = features.map((j) => {
      if (record.length !== width) return 'ragged';
      try {
        return values.value(record, j);
      } catch (err) {
        return `error: ${(err as Error).message}`;
      }
    });
    records.push({ fields, values: parsed });
  });
  scanner.push(Buffer.from(line));
  scanner.end();
  return records;
}

function numericPath(line: string, width: number, features: number[], delimiter: string) {
  const lines = NumericLines.for(width, delimiter, features)!;
  const record = new CsvRecord();
  const values = new Float64Array(width);
  const bytes = Buffer.from(line);
  // It reads lines that end with an LF (a last line without one is the scanner's).
  if (!line.endsWith('\n')) return undefined;
  const next = lines.read(bytes, 0, record, values);
  if (next < 0) return undefined;
  const fields: [number, number, number][] = [];
  for (let j = 0; j < record.length; j++) fields.push([record.start(j), record.end(j), record.kind(j)]);
  return { next, fields, values: features.map((j) => values[j]!) };
}

/** A cell: mostly numbers, sometimes a marker, text, or a character the lane must refuse. */
const cell = fc.oneof(
  { weight: 10, arbitrary: numberText },
  { weight: 2, arbitrary: missingText },
  { weight: 2, arbitrary: freeText.map((t) => t.replace(/[\n"]/g, 'q')) },
  { weight: 1, arbitrary: fc.constantFrom('1\r', '"1"', '1 ', ' 1', '1e', '1e+', '1.2.3', '--1', '0x10', '1,5', '١٢') },
  // Quoted text: plain, escaped quotes, the delimiters inside, empty, a line break or a CR inside (text after
  // the closing quote, an error to the scanner, is a named case below).
  { weight: 1, arbitrary: fc.constantFrom('"a b"', '"x, y"', '"a;b|c\td"', '""', '""""', '"say ""hi"""', '"é"', '"two\nlines"', '"cr\rhere"') },
);

const line = fc
  .record({
    width: fc.integer({ min: 1, max: 5 }),
    featureBits: fc.integer({ min: 0, max: 31 }),
    delimiter: fc.constantFrom(',', '\t', ';', '|'),
    end: fc.constantFrom('\n', '\n', ''),
    ragged: fc.constantFrom(0, 0, 0, 0, 1, -1),
  })
  .chain(({ width, featureBits, delimiter, end, ragged }) =>
    fc.array(cell, { minLength: Math.max(1, width + ragged), maxLength: Math.max(1, width + ragged) }).map((cells) => ({
      width,
      delimiter,
      features: Array.from({ length: width }, (_, j) => j).filter((j) => (featureBits >> j) & 1 || j === 0),
      text: cells.join(delimiter) + end,
    })),
  );

describe('NumericLines = CsvScanner + CellValues', () => {
  it('on generated lines: the same fields and bit-identical values, or the line is left to the scanner', () => {
    let taken = 0;
    let takenQuoted = 0;
    let plain = 0;
    fc.assert(
      fc.property(line, ({ width, delimiter, features, text }) => {
        const fast = numericPath(text, width, features, delimiter);
        const slow = scannerPath(text, width, features, delimiter);
        if (slow.length === 1 && slow[0]!.values.every((v) => typeof v === 'number' && Number.isFinite(v))) plain++;
        if (fast === undefined) return;
        taken++;
        if (text.includes('"')) takenQuoted++;
        expect(slow).toHaveLength(1);
        expect(fast.fields).toEqual(slow[0]!.fields);
        expect(fast.next).toBe(Buffer.byteLength(text));
        fast.values.forEach((v, f) => expect(Object.is(v, slow[0]!.values[f])).toBe(true));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
    // Not a vacuous pass: it took a good share (the others hold long mantissas, big exponents,
    // markers, spaces or bad values, which are the scanner's).
    expect(plain).toBeGreaterThan(5000);
    expect(taken).toBeGreaterThan(1000);
    expect(takenQuoted).toBeGreaterThan(20);
  });

  it('takes every line of short decimals (what most numeric CSV holds), and gives Number(text)', () => {
    const decimal = fc
      .tuple(fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 6 }), fc.option(fc.integer({ min: -9, max: 9 })))
      .map(([sign, n, point, exp]) => {
        const digits = String(n).padStart(point + 1, '0');
        const text = point === 0 ? digits : `${digits.slice(0, -point)}.${digits.slice(-point)}`;
        return `${sign}${text}${exp === null ? '' : `e${exp}`}`;
      });
    fc.assert(
      fc.property(fc.array(decimal, { minLength: 1, maxLength: 6 }), fc.constantFrom(',', '\t'), (cells, delimiter) => {
        const width = cells.length;
        const features = Array.from({ length: width }, (_, j) => j);
        const fast = numericPath(`${cells.join(delimiter)}\n`, width, features, delimiter);
        expect(fast).toBeDefined();
        fast!.values.forEach((v, j) => expect(Object.is(v, Number(cells[j]))).toBe(true));
      }),
      { seed: SEED + 1, numRuns: 5000 },
    );
  });

  it.each([
    ['1.5,2,x\n', [0, 1], [1.5, 2]],
    ['-0,+3.25e2,abc\n', [0, 1], [-0, 325]],
    ['.5,5.,t\n', [0, 1], [0.5, 5]],
    ['4.085891e-6,1E22,z\n', [0, 1], [4.085891e-6, 1e22]],
    ['123456789012345,0.000000000000001,\n', [0, 1], [123456789012345, 1e-15]],
    ['1,2,"x, ""y"""\n', [0, 1], [1, 2]],
    ['1,2,""\n', [0, 1], [1, 2]],
    ['"a,b",7,3\n', [1, 2], [7, 3]],
  ])('%j is read at once', (text, features, expected) => {
    const fast = numericPath(text, 3, features, ',');
    expect(fast).toBeDefined();
    expected.forEach((v, f) => expect(Object.is(fast!.values[f], v)).toBe(true));
  });

  it.each([
    ['\n', 'a blank line (skipped by the scanner)'],
    [',2,x\n', 'an empty feature cell (missing)'],
    ['NA,2,x\n', 'a missing marker'],
    [' 1,2,x\n', 'a space before a number (trimmed by the text way)'],
    ['1 ,2,x\n', 'a space after a number'],
    ['"1",2,x\n', 'a quote'],
    ['1,2,x\r\n', 'a CR (CRLF files are the scanner\'s)'],
    ['1,2,x"y\n', 'a quote in a text cell'],
    ['1,2,"two\nlines"\n', 'a line break inside a quoted text cell'],
    ['1,2,"x"y\n', 'text after the closing quote'],
    ['1,2,"x\n', 'a quote not closed on the line'],
    ['1,"2",x\n', 'a quoted number in a feature'],
    ['1,2\n', 'too few fields'],
    ['1,2,x,y\n', 'too many fields'],
    ['9007199254740993,2,x\n', 'an integer beyond 2^53'],
    ['1e23,2,x\n', 'a power of ten beyond 10^22'],
    ['1e-23,2,x\n', 'a power of ten below 10^-22'],
    ['1e,2,x\n', 'an exponent without digits'],
    ['1.2.3,2,x\n', 'two points'],
    ['abc,2,x\n', 'text in a feature'],
  ])('%j is left to the scanner: %s', (text) => {
    expect(numericPath(text, 3, [0, 1], ',')).toBeUndefined();
  });

  it('in CsvScanner: takes the plain lines, and stops trying where most lines are not for it', () => {
    const read = (text: string) => {
      const taken: boolean[] = [];
      const scanner = new CsvScanner({ delimiter: ',', recordDelimiter: RecordDelimiter.Lf, bom: false }, (record) => taken.push(record.values !== null));
      scanner.useNumericLines(NumericLines.for(2, ',', [0, 1])!);
      scanner.push(Buffer.from(text));
      scanner.end();
      return taken;
    };
    const plain = Array.from({ length: 50 }, (_, i) => `${i},${i / 4}\n`).join('');
    const missing = Array.from({ length: 100 }, (_, i) => `${i},\n`).join('');
    // Mostly plain, a missing value now and then: it keeps taking the plain ones.
    const mixed = read(plain + missing.slice(0, 40) + plain);
    expect(mixed.filter(Boolean)).toHaveLength(100);
    // A missing value in every line: after 64 misses it stops, so later plain lines are the scanner's.
    const after = read(missing + plain);
    expect(after.slice(0, 100).some(Boolean)).toBe(false);
    expect(after.slice(100).some(Boolean)).toBe(false);
    expect(after).toHaveLength(150);
  });

  it('has no reader for a delimiter that can be part of a number', () => {
    for (const delimiter of ['.', '-', '+', '0', '7', 'e', 'E']) expect(NumericLines.for(2, delimiter, [0])).toBeNull();
    expect(NumericLines.for(2, ';', [0])).not.toBeNull();
  });
});
