/**
 * What both CSV readers (the general one on csv-parse, the fast one on CsvScanner) do with a
 * record once it is tokenized: the first record is the header (or names the columns 1, 2, …
 * with -n), a record of one empty, unquoted field is a blank line and skipped (`""` alone is a
 * cell), and every other record must have the header's width. One place, so the two readers
 * cannot drift apart.
 */
import { BnError, quoteValue } from '../errors.js';
import type { Row, TableSource } from './table.js';

export interface CsvOptions {
  delimiter: string;
  /** The first row names the columns; otherwise they are named 1, 2, … */
  header: boolean;
  label: string;
  format?: 'csv' | 'tsv';
  /** Text after a closing quote makes the field text (Go's LazyQuotes), not an error. */
  lazyQuotes?: boolean;
}

/** Rows per chunk handed on. */
export const CSV_CHUNK_ROWS = 512;

/**
 * What a reader has consumed, bumped once a chunk (no per-row callback): the progress bar's
 * WorkCounter (src/cli/progress.ts) has this shape.
 */
export interface ByteCounter {
  bytes: number;
  rows: number;
}

/** The TableSource of a CSV reader: `read` fills `columns` and yields the rows. */
export function csvTable(options: CsvOptions, read: (columns: string[], counter: ByteCounter) => AsyncGenerator<Row[]>): TableSource {
  const columns: string[] = [];
  const counter: ByteCounter = { bytes: 0, rows: 0 };
  return {
    format: options.format ?? 'csv',
    label: options.label,
    columns,
    keyed: options.header,
    chunks: () => read(columns, counter),
    bytesRead: () => counter.bytes,
  };
}

/**
 * A record of one empty, unquoted field: a blank line. A line holding only `""` is a record of
 * one empty cell, as Python's csv module and pandas read it (and bn writes a one-column row whose
 * cell is missing so that no reader takes it for a blank line).
 */
export function isBlankRecord(length: number, firstFieldEmptyUnquoted: boolean): boolean {
  return length === 1 && firstFieldEmptyUnquoted;
}

/** `only`: the record's one field, when it has one (a line of spaces then says so: it is no blank line). */
export function raggedRow(expected: number, found: number, label: string, line: number, only?: string): BnError {
  const spaces = only !== undefined && only !== '' && only.trim() === '' ? ' (a line of only spaces: not a blank line)' : '';
  return new BnError('BN_RAGGED_ROW', `expected ${expected} field${expected === 1 ? '' : 's'}, found ${found}${spaces}`, { file: label, line });
}

export function emptyInput(label: string): BnError {
  return new BnError('BN_EMPTY_INPUT', 'no header and no rows: the input is empty', { file: label });
}

/** The column names the first record gives: itself (checked for duplicates), or 1…n with -n. */
export function columnNames(first: readonly string[], header: boolean, label: string): string[] {
  if (!header) return Array.from({ length: first.length }, (_, i) => String(i + 1));
  checkUniqueNames(first, label, 'fields', (i) => ({ line: 1, column: i + 1 }));
  return [...first];
}

/**
 * A name given twice is refused, in a CSV header as in a Parquet or Arrow schema: every output
 * (a CSV header, a JSON object's keys, a stats file's features) needs each name once.
 * `what` names the positions (fields, columns), counted from 1; `where` locates the second.
 */
export function checkUniqueNames(names: readonly string[], label: string, what: string, where: (i: number) => { line?: number; column?: number } = () => ({})): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new BnError('BN_DUPLICATE_COLUMN', `duplicate column name ${quoteValue(name)} (${what} ${earlier + 1} and ${i + 1})`, { file: label, ...where(i) });
    }
    seen.set(name, i);
  });
}

/**
 * Records in, rows out: `accept` returns the cells of a data record, or undefined for the
 * header and blank records; it throws on a ragged record. `columns` is filled at the first record.
 */
export class CsvRecords {
  width = -1;

  constructor(
    private readonly header: boolean,
    private readonly label: string,
    private readonly columns: string[],
  ) {}

  /** `quotedFirst`: the record's first field was quoted (`""` is a cell, not a blank line). */
  accept(cells: string[], line: number, quotedFirst = false): string[] | undefined {
    if (isBlankRecord(cells.length, cells[0] === '' && !quotedFirst)) return undefined;
    if (this.width < 0) {
      this.width = cells.length;
      this.columns.push(...columnNames(cells, this.header, this.label));
      if (this.header) return undefined;
    }
    if (cells.length !== this.width) throw raggedRow(this.width, cells.length, this.label, line, cells.length === 1 ? cells[0] : undefined);
    return cells;
  }

  /** The input ended: without a single record it was empty. */
  end(): void {
    if (this.width < 0) throw emptyInput(this.label);
  }
}
