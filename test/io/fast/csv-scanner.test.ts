/**
 * CsvScanner against csv-parse set up as bn's general reader sets it up (../csv-parse-core.ts;
 * blank records dropped by the caller), with and without lazy quotes: the same records and the
 * same errors on generated CSV fed in random chunks (splits inside `\r\n`, inside `""`, inside a
 * multi-byte character), and start lines that agree with the general reader's count.
 */
import { Buffer } from 'node:buffer';
import { Parser } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParseCore } from '../../../src/io/csv-parse-core.js';
import { CsvScanner, CsvSyntaxError, FieldKind, MAX_RECORD_BYTES, type CsvRecord } from '../../../src/io/fast/csv-scanner.js';

const SEED = 20240605;

/** A record of one empty, unquoted field: a blank line, which bn's readers skip (`""` alone on a line is a cell). */
const isBlank = (record: string[], quotedFirst: boolean) => record.length === 1 && record[0] === '' && !quotedFirst;

interface Outcome {
  records: string[][];
  lines: number[];
  error?: string;
}

/** Feeds `bytes` to a scanner cut at `cuts` (offsets, any order, repeats allowed). */
function scan(bytes: Buffer, delimiter = ',', cuts: number[] = [], lazyQuotes = false): Outcome {
  const records: string[][] = [];
  const lines: number[] = [];
  const scanner = new CsvScanner({ delimiter, lazyQuotes }, (record) => {
    const texts = record.texts();
    if (isBlank(texts, record.kind(0) !== FieldKind.Plain)) return;
    records.push(texts);
    lines.push(record.line);
  });
  try {
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      scanner.push(bytes.subarray(from, cut));
      from = cut;
    }
    scanner.push(bytes.subarray(from));
    scanner.end();
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    return { records: [], lines: [], error: err.code };
  }
  return { records, lines };
}

/**
 * What bn's general reader reads: csv-parse's records and error code. Start lines are counted as
 * that reader counts them: a record starts 1 + the line-ending bytes of its fields after the last.
 */
function reference(bytes: Buffer, delimiter = ',', lazyQuotes = false): Outcome {
  const parsed: string[][] = [];
  const quoted: boolean[] = [];
  const core = new CsvParseCore(Parser, { delimiter, lazyQuotes }, (record, quotedFirst) => {
    parsed.push(record);
    quoted.push(quotedFirst);
  });
  const failure = core.parse(bytes, false) ?? core.parse(undefined, true);
  if (failure) return { records: [], lines: [], error: (failure as unknown as { code: string }).code };
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  for (const [i, record] of parsed.entries()) {
    if (!isBlank(record, quoted[i]!)) {
      records.push(record);
      lines.push(line);
    }
    line += 1 + record.join('').split(core.lineEnd).length - 1;
  }
  return { records, lines };
}

describe('CsvScanner: table', () => {
  it.each([
    ['LF', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']], [1, 2]],
    ['CRLF, no line break at the end', 'a,b\r\n1,2', [['a', 'b'], ['1', '2']], [1, 2]],
    ['a UTF-8 BOM', '\ufeffa,b\n1,2', [['a', 'b'], ['1', '2']], [1, 2]],
    ['blank lines skipped, counted', '\n\na\n\r\n\nb\n\n', [['a'], ['b']], [3, 6]],
    ['blank lines in a CRLF file', '\r\na\r\n\r\nb', [['a'], ['b']], [2, 4]],
    ['quotes, "" escapes, delimiters and line breaks inside', '"a,b","c""d","e\nf"\ng', [['a,b', 'c"d', 'e\nf'], ['g']], [1, 3]],
    ['a quoted CRLF is one line', 'x\r\n"a\r\nb"\r\nc', [['x'], ['a\r\nb'], ['c']], [1, 2, 4]],
    ['empty fields, a trailing delimiter, a last line of ""', ',\n"",x,\n""', [['', ''], ['', 'x', ''], ['']], [1, 2, 3]],
    ['ragged rows pass (the caller reports them)', 'a,b\n1\n1,2,3', [['a', 'b'], ['1'], ['1', '2', '3']], [1, 2, 3]],
    ['spaces kept', ' a , b \n', [[' a ', ' b ']], [1]],
    ['LF, then CRLF: both end records', 'a\nb\r\nc', [['a'], ['b'], ['c']], [1, 2, 3]],
    ['CRLF, then LF: both end records', 'a\r\nb\nc\r\nd', [['a'], ['b'], ['c'], ['d']], [1, 2, 3, 4]],
    ['a lone CR in a file of LF and CRLF lines is data', 'a\r\nb\rc\nd', [['a'], ['b\rc'], ['d']], [1, 2, 3]],
    ['a lone CR as the record delimiter', 'a\rb\r\rc', [['a'], ['b'], ['c']], [1, 2, 4]],
    ['UTF-8 text', 'é,"😀,ü"\n', [['é', '😀,ü']], [1]],
    ['empty input', '', [], []],
    ['only a BOM', '\ufeff', [], []],
    ['only blank lines', '\r\n\r\n', [], []],
    ['a CR alone on a line of an LF file is a field', '\n\r\r\n\n', [['\r']], [2]],
  ])('%s', (_name, text, records, lines) => {
    const bytes = Buffer.from(text, 'utf8');
    expect(scan(bytes)).toEqual({ records, lines });
    expect(reference(bytes).records).toEqual(records);
  });

  it.each([
    ['a quote inside an unquoted field is a character', 'a,b\nc,d"e\n', [['a', 'b'], ['c', 'd"e']]],
    ['an LF after a closing quote in a CRLF file', 'a\r\n"b"\n', [['a'], ['b']]],
    ['a CRLF after a closing quote in an LF file', 'a\n"b"\r\n', [['a'], ['b']]],
    ['a NUL after a closing quote closes it (csv-parse\'s end-of-input test)', '"a"\0b\n', [['a\0b']]],
    ['a "" line is a record of one empty field, not a blank line', 'x\n""\n\ny', [['x'], [''], ['y']]],
    ['"" then more fields: a record whose first field is empty', 'x\n"",1\n', [['x'], ['', '1']]],
  ])('%s, as csv-parse reads it', (_name, text, records) => {
    const bytes = Buffer.from(text, 'latin1');
    expect(reference(bytes).records).toEqual(records);
    expect(scan(bytes).records).toEqual(records);
  });

  it.each([
    ['text after a closing quote', 'a,"b"c\n', [['a', '"b"c']], 2],
    ['the same with "" inside: the escape still counts', 'a,"b""c"d\n', [['a', '"b"c"d']], 2],
    ['a space after a closing quote', '"a" ,b', [['"a" ', 'b']], 1],
    ['a lone CR after a closing quote in an LF file', 'a\n"b"\rc\n', [['a'], ['"b"\rc']], 1],
  ])('%s: an error naming the field, or with lazy quotes the literal text', (_name, text, records, field) => {
    const bytes = Buffer.from(text, 'latin1');
    expect(reference(bytes).error).toBe('CSV_TEXT_AFTER_QUOTE');
    expect(scanError(bytes)).toMatchObject({ code: 'CSV_TEXT_AFTER_QUOTE', field });
    expect(reference(bytes, ',', true).records).toEqual(records);
    expect(scan(bytes, ',', [], true).records).toEqual(records);
  });

  it('an unclosed quote is an error on the line where its record starts', () => {
    const bytes = Buffer.from('a\n"b,c\nd', 'utf8');
    expect(reference(bytes).error).toBe('CSV_QUOTE_NOT_CLOSED');
    expect(scanError(bytes)).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', line: 2, field: 1 });
    expect(scanError(Buffer.from('a\nb,"c\n""d\n', 'utf8'))).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', line: 2, field: 2 });
  });

  it('counts lines by LF (a CRLF once, a CR in the data of an LF file not at all), or by CR in a CR file', () => {
    expect(scan(Buffer.from('a\n"x\ry"\nb\n', 'utf8')).lines).toEqual([1, 2, 3]);
    expect(scan(Buffer.from('a\r"x\ny"\rb\r', 'utf8')).lines).toEqual([1, 2, 3]);
    expect(scan(Buffer.from('a\r\n"x\r\ny"\r\nb', 'utf8')).lines).toEqual([1, 2, 4]);
  });

  it.each(['', ',,', '"', '\n', '\r', '§'])('refuses the delimiter %j', (delimiter) => {
    expect(() => new CsvScanner({ delimiter }, () => {})).toThrow(RangeError);
  });

  it('gives each field as a byte range and a kind, quotes excluded', () => {
    const bytes = Buffer.from('ab,"c,d","e""f",\n"g"h,i"j\n', 'utf8');
    const fields: [number, number, FieldKind, string][] = [];
    const scanner = new CsvScanner({ lazyQuotes: true }, (record: CsvRecord) => {
      for (let i = 0; i < record.length; i++) fields.push([record.start(i), record.end(i), record.kind(i), record.text(i)]);
    });
    scanner.push(bytes);
    scanner.end();
    expect(fields).toEqual([
      [0, 2, FieldKind.Plain, 'ab'],
      [4, 7, FieldKind.Quoted, 'c,d'],
      [10, 14, FieldKind.Escaped, 'e"f'],
      [16, 16, FieldKind.Plain, ''],
      [17, 21, FieldKind.Composite, '"g"h'],
      [22, 25, FieldKind.PlainSpecial, 'i"j'],
    ]);
  });

  it('reads a record of many fields fed one byte at a time, and a field longer than any chunk', () => {
    const wide = Array.from({ length: 100 }, (_, i) => String(i));
    const long = 'x'.repeat(100_000);
    const bytes = Buffer.from(`${wide.join(';')}\n"${long}";${long}\n`, 'utf8');
    const cuts = Array.from({ length: bytes.length }, (_, i) => i);
    expect(scan(bytes, ';', cuts.slice(0, 400))).toEqual({ records: [wide, [long, long]], lines: [1, 2] });
    expect(scan(bytes, ';', cuts.filter((i) => i % 997 === 0))).toEqual({ records: [wide, [long, long]], lines: [1, 2] });
  });

  it('agrees with csv-parse at every split, and byte by byte, on a document with every feature', () => {
    const text = '\ufeff"h""1";h2;x\r\n\r\n"a\r\nb";"é😀";\r\n\r\n 1.5 ;"";"x"\r\n;\r\n"z"';
    const bytes = Buffer.from(text, 'utf8');
    const expected = reference(bytes, ';');
    expect(expected.records.length).toBe(5);
    for (let cut = 0; cut <= bytes.length; cut++) expect(scan(bytes, ';', [cut])).toEqual(expected);
    expect(scan(bytes, ';', Array.from({ length: bytes.length }, (_, i) => i))).toEqual(expected);
  });

  it('refuses push() after end() and after an error', () => {
    const ended = new CsvScanner({}, () => {});
    ended.end();
    expect(() => ended.push(Buffer.from('a'))).toThrow(/after end/);
    const failed = new CsvScanner({}, () => {});
    expect(() => failed.push(Buffer.from([0xff, 0xfe, 0x61]))).toThrow(CsvSyntaxError);
    expect(() => failed.push(Buffer.from('c\n'))).toThrow(/after end\(\) or an error/);
  });
});

/** The error the scanner throws on `bytes`, fed whole. */
function scanError(bytes: Buffer): unknown {
  const scanner = new CsvScanner({}, () => {});
  try {
    scanner.push(bytes);
    scanner.end();
  } catch (err) {
    return err;
  }
  return undefined;
}

const delimiters = fc.constantFrom(',', '\t', ';', '|');
const textUnit = fc.constantFrom('a', 'b', 'Z', '1', '0', '.', '-', 'e', ' ', 'é', 'ü', '€', '😀', '\u00a0', '\t', ',', ';');
const quotedOnlyUnit = fc.constantFrom('"', '""', ',', ';', '\t', '|', '\n', '\r\n', '\r');

interface Field {
  quoted: boolean;
  text: string;
}

/** Well-formed CSV: records of plain and quoted fields, blank lines, a BOM, LF or CRLF. */
const wellFormed = fc
  .record({
    delimiter: delimiters,
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    lines: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        {
          weight: 5,
          arbitrary: fc.array(
            fc.record({
              quoted: fc.boolean(),
              text: fc.oneof(fc.string({ unit: textUnit, maxLength: 6 }), fc.string({ unit: fc.oneof(textUnit, quotedOnlyUnit), maxLength: 6 })),
            }),
            { minLength: 1, maxLength: 5 },
          ),
        },
      ),
      { maxLength: 8 },
    ),
    finalEol: fc.boolean(),
  })
  .map(({ delimiter, bom, eol, lines, finalEol }) => {
    const render = (field: Field): string =>
      field.quoted || /["\r\n]/.test(field.text) || field.text.includes(delimiter)
        ? `"${field.text.replaceAll('"', '""')}"`
        : field.text;
    const text = lines.map((fields) => (fields === null ? '' : fields.map(render).join(delimiter))).join(eol);
    return { delimiter, text: (bom ? '\ufeff' : '') + text + (finalEol && lines.length > 0 ? eol : '') };
  });

/** Anything over CSV's special characters: mostly malformed, mixed line breaks. */
const chaos = fc.record({
  delimiter: delimiters,
  text: fc.string({ unit: fc.constantFrom('a', '1', ',', ';', '\t', '"', '"', '""', '\n', '\r', '\r\n', ' ', 'é', '😀', '\ufeff'), maxLength: 24 }),
});

/** A document and where to cut it into chunks. */
const withCuts = (docs: fc.Arbitrary<{ delimiter: string; text: string }>) =>
  docs.chain(({ delimiter, text }) => {
    const bytes = Buffer.from(text, 'utf8');
    return fc.record({
      delimiter: fc.constant(delimiter),
      bytes: fc.constant(bytes),
      cuts: fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 10 }),
    });
  });

describe('CsvScanner: the same records, start lines and errors as csv-parse, in any chunks', () => {
  it.each([
    ['well-formed CSV', withCuts(wellFormed), 1_000],
    ['arbitrary text over CSV’s special characters', withCuts(chaos), 3_000],
  ] as const)('%s', (_name, cases, numRuns) => {
    fc.assert(
      fc.property(cases, fc.boolean(), ({ delimiter, bytes, cuts }, lazy) => {
        expect(scan(bytes, delimiter, cuts, lazy)).toEqual(reference(bytes, delimiter, lazy));
      }),
      { seed: SEED, numRuns },
    );
  });
});

describe('CsvScanner: long records', () => {
  it('reads a record of 32 MB fed in 8 KB chunks in time linear in its bytes (each chunk was once copied with all before it)', () => {
    const field = Buffer.alloc(32 << 20, 0x61);
    const bytes = Buffer.concat([Buffer.from('h\n'), field, Buffer.from('\nz\n')]);
    const lengths: number[] = [];
    const scanner = new CsvScanner({}, (record) => lengths.push(record.end(0) - record.start(0)));
    const started = performance.now();
    for (let at = 0; at < bytes.length; at += 8192) scanner.push(bytes.subarray(at, at + 8192));
    scanner.end();
    expect(lengths).toEqual([1, 32 << 20, 1]);
    // About a second here; copying each chunk with all before it took minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stops at a record longer than MAX_RECORD_BYTES, on the line where it starts', () => {
    const scanner = new CsvScanner({}, () => {});
    scanner.push(Buffer.from('a\n"b\n'));
    const chunk = Buffer.alloc(1 << 20, 0x62);
    let error: unknown;
    try {
      for (let i = 0; i <= MAX_RECORD_BYTES >> 20; i++) scanner.push(chunk);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'CSV_RECORD_TOO_LONG', line: 2 });
  });
});
