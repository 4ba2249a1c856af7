/**
 * CSV/TSV through csv-parse: RFC 4180 quoting, LF or CRLF, a UTF-8 BOM ignored, blank lines
 * skipped, a quote inside an unquoted field taken literally (`12" pipe`, as Python and pandas
 * do). csv-parse does the tokenizing; this module turns its records and errors into bn's rows
 * and BnErrors with a file:line position.
 */
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { BnError, quoteValue } from '../errors.js';
import { readError } from './input.js';
import type { Row, TableSource } from './table.js';

export interface CsvOptions {
  delimiter: string;
  /** The first row names the columns; otherwise they are named 1, 2, … */
  header: boolean;
  label: string;
  format?: 'csv' | 'tsv';
}

const CHUNK = 512;

export function csvSource(input: Readable, options: CsvOptions): TableSource {
  const columns: string[] = [];
  return {
    format: options.format ?? 'csv',
    label: options.label,
    columns,
    keyed: options.header,
    chunks: () => readChunks(input, options, columns),
  };
}

async function* readChunks(input: Readable, options: CsvOptions, columns: string[]): AsyncGenerator<Row[]> {
  const parser = input.pipe(
    parse({
      delimiter: options.delimiter,
      bom: true,
      // Blank lines come through as [''] records and are skipped below: counting lines ourselves
      // is much cheaper than csv-parse's `info` option (a third of the parse time).
      // Ragged rows are reported by us, with the expected and the found field count.
      relax_column_count: true,
      relax_quotes: true,
    }),
  );
  // csv-parse errors come from the parser; a read error of the input (EISDIR, EACCES…) from it.
  input.on('error', (err) => parser.destroy(err));

  let width = -1;
  let chunk: Row[] = [];
  let next = 1; // the line where the next record starts
  let records = 0; // records read, blank lines included (csv-parse counts them the same way)
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      // Each record takes one line plus the line breaks inside its quoted fields.
      const line = next;
      records++;
      next += 1 + countNewlines(record);
      if (record.length === 1 && record[0] === '') continue; // a blank line
      if (width < 0) {
        width = record.length;
        if (options.header) {
          checkHeader(record, options.label);
          columns.push(...record);
          continue;
        }
        for (let i = 1; i <= width; i++) columns.push(String(i));
      }
      if (record.length !== width) {
        throw new BnError(
          'BN_RAGGED_ROW',
          `expected ${width} fields, found ${record.length}`,
          { file: options.label, line },
        );
      }
      chunk.push({ cells: record, line });
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
  } catch (err) {
    throw translateError(err, options.label, { line: next, records });
  }
  if (chunk.length > 0) yield chunk;
  if (width < 0) throw new BnError('BN_EMPTY_INPUT', 'no header and no rows: the input is empty', { file: options.label });
}

function checkHeader(names: string[], label: string): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new BnError(
        'BN_DUPLICATE_COLUMN',
        `duplicate column name ${quoteValue(name)} (fields ${first + 1} and ${i + 1})`,
        { file: label, line: 1, column: i + 1 },
      );
    }
    seen.set(name, i);
  });
}

function countNewlines(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/** @param read where reading stopped: the line the next record starts on, after `records` records */
function translateError(err: unknown, label: string, read: { line: number; records: number }): unknown {
  if (err instanceof BnError) return err;
  if (err instanceof CsvError) {
    // An unclosed quote is found at the end of the input, and csv-parse names the last line. The
    // line where the quote opened is where the unfinished record starts: known when every record
    // the parser produced before the error was read (a slow reader may leave some in its buffer).
    const { lines, records } = err as CsvError & { lines?: number; records?: number };
    const line = err.code === 'CSV_QUOTE_NOT_CLOSED' && records === read.records ? read.line : lines;
    const message = err.message.replace(/^Invalid [^:]*:\s*/, '').replace(/\s+at line \d+$/, '');
    return new BnError('BN_MALFORMED_CSV', `malformed CSV: ${message}`, { file: label, line });
  }
  return readError(err, label);
}
