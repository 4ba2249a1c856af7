/**
 * Rows to CSV/TSV through csv-stringify: fields with the delimiter, a quote or a line break are
 * quoted, everything else is written as it came. Feature cells arrive as numbers and are
 * formatted here; text cells are written unchanged; other JSON values (from a JSON input) as
 * JSON text, except that null and an absent key are the empty cell, CSV's missing value.
 */
import { stringify } from 'csv-stringify/sync';
import { BnError } from '../errors.js';
import { LONE_EMPTY_FIELD } from './fast/csv-bytes-writer.js';
import { cellText } from './format-number.js';
import type { Row } from './table.js';
import type { OutputWriter } from './output-writer.js';
import type { TableLayout, TableSink } from './table-sink.js';

export interface CsvSinkOptions {
  delimiter: string;
  formatNumber: (x: number) => string;
  /** Write the header row (default); false: the rows alone. */
  header?: boolean;
}

/**
 * Records as CSV text. csv-stringify quotes a field with the delimiter, a quote or "\n"; a lone
 * "\r" must be quoted too, or a reader takes it for a line break, and so must the field of a
 * record that has only one field, empty (JSON's null in a one-column CSV: LONE_EMPTY_FIELD). The
 * fast writer, ./fast/csv-bytes-writer.ts, follows the same rules.
 */
export function encodeCsv(records: string[][], delimiter: string): string {
  const options = { delimiter, record_delimiter: '\n', eof: true, quoted_match: /\r/ };
  if (!records.some(isLoneEmptyField)) return stringify(records, options);
  return records.map((record) => (isLoneEmptyField(record) ? `${LONE_EMPTY_FIELD}\n` : stringify([record], options))).join('');
}

function isLoneEmptyField(record: string[]): boolean {
  return record.length === 1 && record[0] === '';
}

export function csvSink(out: OutputWriter, options: CsvSinkOptions): TableSink {
  const { delimiter, formatNumber } = options;
  const encode = (records: string[][]) => encodeCsv(records, delimiter);
  let layout: TableLayout;
  let width = 0;
  let isFeature: Uint8Array = new Uint8Array(0);
  const record = (row: Row): string[] => {
    const { cells } = row;
    if (cells.length > width) checkNoLateColumn(row, width, layout);
    const fields = new Array<string>(width);
    for (let j = 0; j < width; j++) fields[j] = cellText(cells[j], isFeature[j] === 1, formatNumber);
    return fields;
  };
  return {
    async start(l) {
      layout = l;
      width = l.width;
      isFeature = featureMask(l);
      // Names become a header; positional records (-n, JSON arrays) have none.
      if (l.keyed && options.header !== false) await out.write(encode([l.columns.slice(0, width)]));
    },
    async rows(rows) {
      if (rows.length === 0) return;
      await out.write(encode(rows.map(record)));
    },
    async end() {
      await out.flush();
    },
  };
}

/** 1 at each feature column. */
export function featureMask(layout: TableLayout): Uint8Array {
  const mask = new Uint8Array(layout.columns.length);
  for (const j of layout.features) mask[j] = 1;
  return mask;
}

/** A CSV header cannot take a column that first appears after it was written (JSON keys, with -b). */
function checkNoLateColumn(row: Row, width: number, layout: TableLayout): void {
  for (let j = width; j < row.cells.length; j++) {
    if (row.cells[j] === undefined) continue;
    const where = row.record !== undefined ? { record: row.record } : { line: row.line };
    throw new BnError(
      'BN_LATE_COLUMN',
      'this key first appears after the CSV header was written (its columns are the keys of the first records read: ' +
        'the first batch with --batch-size, the first chunk with --stats): write JSON or NDJSON (--to), or leave out --batch-size if given',
      { file: layout.label, ...where, name: layout.columns[j] },
    );
  }
}
