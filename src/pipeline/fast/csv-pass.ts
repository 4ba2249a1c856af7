/**
 * One sequential pass of the fast path over a CSV/TSV stream: the scanner, the header, blank
 * records, and a handler for each data record, with the readers' errors and checks in the same
 * order as the general path meets them (rows before a malformed record are handled first; the
 * first data row's width is checked before --select is bound to the header).
 */
import type { Readable } from 'node:stream';
import { columnNames, emptyInput, isBlankRecord, raggedRow, type ByteCounter, type CsvOptions } from '../../io/csv-rows.js';
import { CsvScanner, FieldKind, RecordDelimiter, type CsvRecord } from '../../io/fast/csv-scanner.js';
import { translateError } from '../../io/fast/csv-fast-reader.js';
import type { TableSource } from '../../io/table.js';

/** Where a data record goes: made once the header and the first data record are known. */
export type RecordHandler = (record: CsvRecord) => void;

export interface CsvLayout extends Pick<TableSource, 'columns' | 'label' | 'keyed' | 'format'> {
  width: number;
}

/** A record of one empty field, as the scanner gives it. */
export function isBlank(record: CsvRecord): boolean {
  return isBlankRecord(record.length, record.kind(0) <= FieldKind.Quoted && record.start(0) === record.end(0));
}

export interface PassResult {
  /** The layout, or undefined for an input without a single record (an error unless allowed). */
  layout: CsvLayout | undefined;
  /** The record delimiter, once a line break showed it. */
  recordDelimiter: RecordDelimiter;
  /** Lines in the input, plus 1: the line after the last. */
  nextLine: number;
}

/**
 * Reads `input` to its end. `start(layout)` is called at the first data record (after its width
 * is checked) and returns the handler of every data record.
 */
export async function csvPass(
  input: AsyncIterable<Buffer>,
  options: CsvOptions,
  start: (layout: CsvLayout) => RecordHandler,
  counter?: ByteCounter,
): Promise<PassResult> {
  let layout: CsvLayout | undefined;
  let handle: RecordHandler | undefined;
  const scanner = new CsvScanner({ delimiter: options.delimiter }, (record) => {
    if (isBlank(record)) return;
    if (layout === undefined) {
      const columns = columnNames(record.texts(), options.header, options.label);
      layout = { columns, width: columns.length, label: options.label, keyed: options.header, format: options.format ?? 'csv' };
      if (options.header) return;
    }
    if (handle === undefined) {
      if (record.length !== layout.width) throw raggedRow(layout.width, record.length, options.label, record.line);
      handle = start(layout);
    }
    handle(record);
  });
  try {
    for await (const data of input) {
      if (counter) counter.bytes += data.length;
      scanner.push(data);
    }
    scanner.end();
  } catch (err) {
    throw translateError(err, options.label);
  }
  return { layout, recordDelimiter: scanner.discoveredRecordDelimiter, nextLine: scanner.nextLine };
}

/** The layout of a pass that must have read a header or a row. */
export function requireLayout(result: PassResult, label: string): CsvLayout {
  if (result.layout === undefined) throw emptyInput(label);
  return result.layout;
}

export type { Readable };
