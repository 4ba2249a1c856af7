/** The shape of a CSV/TSV input once its first record is read, and what a blank record is: for passes and workers alike. */
import { isBlankRecord } from '../../io/csv-rows.js';
import { FieldKind, type CsvRecord } from '../../io/fast/csv-scanner.js';
import type { TableShape } from '../../io/table.js';

export interface CsvLayout extends TableShape {
  width: number;
}

/** A record of one empty, unquoted field, as the scanner gives it. */
export function isBlank(record: CsvRecord): boolean {
  return isBlankRecord(record.length, record.kind(0) === FieldKind.Plain && record.start(0) === record.end(0));
}

