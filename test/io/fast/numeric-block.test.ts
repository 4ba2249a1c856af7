/**
 * NumericBlock (WebAssembly, many lines a call) against NumericLines (one line a call, the
 * JavaScript it stands in front of) and against Number(text): every line it takes, NumericLines
 * takes too, with bit-identical values (Object.is: -0 is not 0) that are Number() of the cell
 * and the same fields' byte ranges (for a reader that keeps records);
 * the line where it stops is one it must not take. Then its window over the input, its limit
 * of lines a call, and its place in CsvScanner.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecord, CsvScanner, RecordDelimiter } from '../../../src/io/fast/csv-scanner.js';
import { NumericBlock, WINDOW_BYTES } from '../../../src/io/fast/numeric-block.js';
import { NumericLines } from '../../../src/io/fast/numeric-lines.js';
import { freeText, missingText, numberText } from '../../helpers/csv-documents.js';

const SEED = 20261207;

/**
 * Every line of `text` (each ending with an LF) as the scanner meets them with NumericBlock in
 * front: runs of lines it takes (their values), and each line it does not take (its start), which
 * the scanner reads before NumericBlock is asked again at the next line.
 */
function blockPath(text: string, width: number, features: number[], delimiter = ',') {
  const block = NumericBlock.for(width, delimiter, features, true)!;
  const bytes = Buffer.from(text);
  const lines: { at: number; values?: number[]; fields?: [number, number, number][] }[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const rows = block.read(bytes, pos, bytes.length);
    if (rows === 0) {
      lines.push({ at: pos });
      pos = bytes.indexOf(0x0a, pos) + 1;
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const fields = Array.from({ length: width }, (_, j): [number, number, number] => [block.fieldStarts![r * width + j]!, block.fieldEnds![r * width + j]!, block.fieldKinds![r * width + j]!]);
      lines.push({ at: -1, values: features.map((j) => block.values[j * block.rowRoom + r]!), fields });
      // Its fields, read back from the buffer (a quoted one with its quotes), are the line: wherever the window over it started.
      const lineStart = r === 0 ? pos : bytes.indexOf(0x0a, lines.at(-2)!.fields!.at(-1)![1]) + 1;
      const written = fields.map(([a, b, kind]) => (kind === 0 ? bytes.toString('utf8', a, b) : bytes.toString('utf8', a - 1, b + 1)));
      expect(written.join(delimiter)).toBe(bytes.toString('utf8', lineStart, bytes.indexOf(0x0a, lineStart)));
    }
    expect(block.source).toBe(bytes);
    expect(block.next).toBeGreaterThan(pos);
    pos = block.next;
  }
  return { lines, bytes };
}

/** The values of the lines NumericBlock took, in order (those it did not take left out). */
const taken = (text: string, width: number, features: number[]) =>
  blockPath(text, width, features)
    .lines.filter((line) => line.values)
    .map((line) => line.values!);

/** NumericLines on the line at `pos`: its values, or undefined when it leaves the line to the scanner. */
function linePath(bytes: Buffer, pos: number, width: number, features: number[], delimiter = ',') {
  const values = new Float64Array(width);
  const record = new CsvRecord();
  const next = NumericLines.for(width, delimiter, features)!.read(bytes, pos, record, values);
  const fields = Array.from({ length: record.length }, (_, j): [number, number, number] => [record.start(j), record.end(j), record.kind(j)]);
  return next < 0 ? undefined : { next, values: features.map((j) => values[j]!), fields };
}

/** A generated line's cells, as written: a delimiter inside quotes does not split (a stray quote is only a character). */
function splitCells(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"' && (quoted || cell === '')) quoted = !quoted;
    if (c === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

const cell = fc.oneof(
  { weight: 12, arbitrary: numberText },
  { weight: 1, arbitrary: missingText },
  { weight: 1, arbitrary: freeText.map((t) => t.replace(/[\n]/g, 'q')) },
  { weight: 1, arbitrary: fc.constantFrom('"a"', '"x, ""y"""', '""', '"a\rb"', '1\r', '00000000000000000001', '1234567890123456789', '9007199254740991', '9007199254740992', '1e22', '1e-22', '1e23', '-0', '+.5', '5.') },
);

const document = fc
  .record({ width: fc.integer({ min: 1, max: 5 }), featureBits: fc.integer({ min: 1, max: 31 }), delimiter: fc.constantFrom(',', '\t', ';', '|') })
  .chain(({ width, featureBits, delimiter }) =>
    fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }).map((rows) => ({
      width,
      delimiter,
      features: Array.from({ length: width }, (_, j) => j).filter((j) => (featureBits >> j) & 1 || j === 0),
      rows: rows.map((cells) => cells.join(delimiter)),
    })),
  );

describe('NumericBlock = NumericLines = Number(text)', () => {
  it('on generated lines: each line it takes, NumericLines takes with the same doubles and fields, each Number() of its cell; each it leaves, it must', () => {
    let took = 0;
    let left = 0;
    fc.assert(
      fc.property(document, ({ width, delimiter, features, rows }) => {
        const text = rows.map((row) => `${row}\n`).join('');
        const { lines, bytes } = blockPath(text, width, features, delimiter);
        expect(lines).toHaveLength(rows.length);
        let pos = 0;
        lines.forEach((line, r) => {
          const one = linePath(bytes, pos, width, features, delimiter);
          const cells = splitCells(rows[r]!, delimiter);
          if (line.values) {
            took++;
            expect(one).toBeDefined();
            line.values.forEach((v, f) => expect(Object.is(v, one!.values[f])).toBe(true));
            expect(line.fields).toEqual(one!.fields); // the same byte ranges as its record's
            features.forEach((j, f) => expect(Object.is(line.values![f], Number(cells[j]))).toBe(true));
          } else {
            left++;
            expect(line.at).toBe(pos);
            // A line NumericLines leaves to the scanner too, or one with more than 19 digits in a number.
            const long = features.some((j) => (cells[j]?.match(/\d/g)?.length ?? 0) > 19);
            if (!long) expect(one).toBeUndefined();
          }
          pos = bytes.indexOf(0x0a, pos) + 1;
        });
      }),
      { seed: SEED, numRuns: 10_000 },
    );
    // Not a vacuous pass.
    expect(took).toBeGreaterThan(5000);
    expect(left).toBeGreaterThan(5000);
    // 10,000 generated tables take 12 s alone; beside the other test files on two busy cores, over 30.
  }, 120_000);

  it.each([
    ['9007199254740991,-9007199254740991', [9007199254740991, -9007199254740991], 'the largest integers below 2^53'],
    ['1e22,1e-22', [1e22, 1e-22], 'the powers of ten at ±22'],
    ['1234567.891e15,0.1234567890123456e-6', [1234567.891e15, 0.1234567890123456e-6], 'an integer and a power that both fit'],
    ['-0,+0', [-0, 0], 'zero keeps its sign'],
    ['.5,5.', [0.5, 5], 'no digits before or after the point'],
    ['1E5,2e+3', [1e5, 2e3], 'E and e, a signed exponent'],
    ['0.82223062,4.085891e-6', [0.82223062, 4.085891e-6], 'the benchmark\'s numbers'],
    // The module reads digits eight at a time: runs of 8 and 9, and 16 either side of the point.
    ['12345678,123456789', [12345678, 123456789], 'runs of eight and nine digits'],
    ['1234567812345678,0.0000000012345678', [1234567812345678, 0.0000000012345678], 'sixteen digits before the point, and after it'],
    ['87654321.1,1.12345678', [87654321.1, 1.12345678], 'eight digits and one, one and eight'],
    ['1234567.12345678e-5,0000000000000001', [1234567.12345678e-5, 1], 'fifteen digits and an exponent; leading zeros'],
    // The module reads a field of fewer than 16 bytes with 16-byte compares: every length.
    ['-12345678.123456,+.5', [-12345678.123456, 0.5], 'a field of 15 bytes, and a signed point'],
    ['1234567890123456,-123456789012345.6', [1234567890123456, -123456789012345.6], 'sixteen bytes and more'],
    ['5.,-0.0', [5, -0], 'a point last, a negative zero'],
    ['123456789012345.,1', [123456789012345, 1], 'fifteen digits then a point (16 bytes)'],
  ])('%j is taken: %s', (line, expected) => {
    const lines = taken(`${line}\n`, 2, [0, 1]);
    expect(lines).toHaveLength(1);
    expected.forEach((v, f) => expect(Object.is(lines[0]![f], v)).toBe(true));
  });

  it.each([
    ['9007199254740992,1', 'an integer of 2^53'],
    ['00000000000000000001,1', 'more than 19 digits, even with a small value (NumericLines takes it)'],
    ['1e23,1', 'a power of ten beyond 10^22'],
    ['1e-23,1', 'a power of ten below 10^-22'],
    ['1e,1', 'an exponent without digits'],
    ['.,1', 'a point without digits'],
    [',1', 'an empty cell'],
    ['NA,1', 'a missing marker'],
    ['12:30,1', 'a colon after digits (the byte after 9)'],
    ['1.2.3,1', 'two points'],
    ['1..2,1', 'two points side by side'],
    ['-+1,1', 'two signs'],
    ['1-2,1', 'a sign after a digit'],
    ['12/3,1', 'a slash after digits (the byte before 0)'],
    ['1\u00b2,1', 'a UTF-8 byte whose low half reads as a digit (² is C2 B2)'],
    ['123456789\u0660,1', 'a ninth byte that is not a digit after eight that are (٠ is D9 A0)'],
    [' 1,1', 'a space'],
    ['"1",1', 'a quoted number'],
    ['1,1\r', 'a CR'],
    ['1,1,1', 'too many fields'],
    ['1', 'too few fields'],
    ['', 'a blank line'],
  ])('%j is left to the others: %s', (line) => {
    expect(taken(`${line}\n`, 2, [0, 1])).toHaveLength(0);
  });

  it('skips a text column, unquoted or quoted whole on the line, but not a stray quote, a CR or a line break in quotes', () => {
    expect(taken('1,abc def,2\n', 3, [0, 2])).toEqual([[1, 2]]);
    expect(taken('1,,2\n', 3, [0, 2])).toEqual([[1, 2]]);
    expect(taken('1,"a",2\n', 3, [0, 2])).toEqual([[1, 2]]);
    expect(taken('1,"a, ""b""",2\n', 3, [0, 2])).toEqual([[1, 2]]);
    expect(taken('1,"",2\n', 3, [0, 2])).toEqual([[1, 2]]);
    expect(taken('1,a"b,2\n', 3, [0, 2])).toHaveLength(0);
    expect(taken('1,"a"b,2\n', 3, [0, 2])).toHaveLength(0);
    expect(taken('1,a\rb,2\n', 3, [0, 2])).toHaveLength(0);
    expect(taken('1,"a\rb",2\n', 3, [0, 2])).toHaveLength(0);
    expect(taken('1,"a\nb",2\n', 3, [0, 2])).toHaveLength(0);
    expect(taken('"1",2,3\n', 3, [0, 2])).toHaveLength(0); // a quoted number
  });

  it('has no reader for a delimiter that can be part of a number, or for no feature', () => {
    for (const delimiter of ['.', '-', '+', '0', 'e', 'E']) expect(NumericBlock.for(2, delimiter, [0])).toBeNull();
    expect(NumericBlock.for(2, ',', [])).toBeNull();
  });
});

describe('NumericBlock over its input', () => {
  it('reads across its window: lines on both sides of the cut, each value where it belongs', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i},${i / 8}`);
    const text = rows.map((row) => `${row}\n`).join('');
    expect(text.length).toBeGreaterThan(2 * WINDOW_BYTES);
    expect(taken(text, 2, [0, 1])).toEqual(rows.map((_, i) => [i, i / 8]));
  });

  it('a line longer than its window is left to the others; the lines after it are read again', () => {
    const long = `1,${'9'.repeat(WINDOW_BYTES)}`;
    const text = `${long}\n2,0\n`;
    const block = NumericBlock.for(2, ',', [0])!;
    const bytes = Buffer.from(text);
    expect(block.read(bytes, 0, bytes.length)).toBe(0);
    expect(block.read(bytes, long.length + 1, bytes.length)).toBe(1);
    expect(block.values[0]).toBe(2);
  });

  it('takes at most rowRoom lines a call (a wide table), and goes on from there', () => {
    const width = 40_000;
    const block = NumericBlock.for(width, ',', [0, width - 1])!;
    expect(block.rowRoom).toBeLessThan(10);
    const rows = Array.from({ length: 25 }, (_, i) => Array.from({ length: width }, (_, j) => (j === 0 ? i : j === width - 1 ? -i : 'x')).join(','));
    expect(taken(rows.map((row) => `${row}\n`).join(''), width, [0, width - 1])).toEqual(rows.map((_, i) => [i, -i || 0]));
  });

  it('forget(): a buffer reused with other bytes is copied again', () => {
    const block = NumericBlock.for(1, ',', [0])!;
    const bytes = Buffer.from('1\n2\n');
    block.read(bytes, 0, bytes.length);
    bytes.write('7\n8\n');
    block.forget();
    expect(block.read(bytes, 2, bytes.length)).toBe(1);
    expect(block.values[0]).toBe(8);
  });
});

describe('NumericBlock in CsvScanner', () => {
  /** Records and runs of lines as the scanner hands them on, pushed in chunks of `chunk` bytes. */
  function scan(text: string, chunk: number) {
    const got: { line: number; values: number[] | string[] }[] = [];
    let line = 0;
    const scanner = new CsvScanner({ delimiter: ',', recordDelimiter: RecordDelimiter.Lf, bom: false }, (record) => {
      got.push({ line: record.line, values: record.texts() });
      line = record.line + (record.texts().join(',').match(/\n/g)?.length ?? 0); // the record's last line
    });
    scanner.useNumericBlock(NumericBlock.for(2, ',', [0, 1])!, (block) => {
      expect(block.line).toBe(line + 1); // the line after the last record's (none between: lines go on)
      for (let r = 0; r < block.rows; r++) got.push({ line: (line = block.line + r), values: [block.values[r]!, block.values[block.rowRoom + r]!] });
    });
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, i + chunk));
    scanner.end();
    return { got, nextLine: scanner.nextLine };
  }

  it('hands on runs of lines and the records between them in order, each on its line (a line break in quotes counted)', () => {
    const rows = Array.from({ length: 500 }, (_, i) => (i % 37 === 5 ? `${i},NA` : i % 53 === 7 ? `"q${i}",1` : i % 71 === 3 ? `"a\nb",${i}` : `${i},${-i}`));
    const text = `${rows.join('\n')}\n`;
    // Row i's line: 1 + the line breaks before it.
    const lines = rows.map((_, i) => 1 + rows.slice(0, i).join('\n').split('\n').length - (i === 0 ? 1 : 0));
    for (const chunk of [7, 100, 4096, text.length]) {
      const { got, nextLine } = scan(text, chunk);
      expect(nextLine).toBe(1 + text.split('\n').length - 1);
      expect(got.map((g) => g.line)).toEqual(lines);
      got.forEach((g, i) => {
        if (typeof g.values[0] === 'number') expect(g.values).toEqual([i, -i || 0]);
        else expect(g.values.join(',')).toBe(rows[i]!.replaceAll('"', ''));
      });
    }
  });

  it('a caller that pushes its one buffer again with other bytes: read again, not from the copy of before', () => {
    const values: number[] = [];
    const scanner = new CsvScanner({ delimiter: ',', recordDelimiter: RecordDelimiter.Lf, bom: false }, () => {});
    scanner.useNumericBlock(NumericBlock.for(2, ',', [0, 1])!, (block) => {
      for (let r = 0; r < block.rows; r++) values.push(block.values[r]!, block.values[block.rowRoom + r]!);
    });
    const buffer = Buffer.from('1,2\n3,4\n');
    scanner.push(buffer);
    buffer.write('5,6\n7,8\n');
    scanner.push(buffer);
    scanner.end();
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('stops trying where most lines are not for it', () => {
    const missing = Array.from({ length: 100 }, (_, i) => `${i},`).join('\n');
    const plain = Array.from({ length: 50 }, (_, i) => `${i},${i}`).join('\n');
    const { got } = scan(`${missing}\n${plain}\n`, 1 << 20);
    expect(got.slice(100).every((g) => typeof g.values[0] === 'string')).toBe(true);
  });
});
