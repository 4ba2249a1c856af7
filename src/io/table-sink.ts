import type { ColumnType } from './column-types.js';
import type { Format, Row } from './table.js';

/** What a sink needs to know of the table before its first row. */
export interface TableLayout {
  /**
   * Every column name. For JSON objects read in batches, the union of keys read so far: the list
   * grows when a key first appears later (such a column is never a feature).
   */
  columns: readonly string[];
  /** How many of `columns` the output starts with (a CSV header): those seen up to the first rows written. */
  width: number;
  /** Column indices of the features: their non-missing cells are numbers by now, to be formatted. */
  features: readonly number[];
  /** Records are keyed by name (a CSV header, JSON objects), not positional (`-n`, JSON arrays). */
  keyed: boolean;
  /** The input's format: CSV/TSV cells are text, JSON cells JSON values. */
  from: Format;
  /** The input's label, for messages. */
  label: string;
  /** The input's column types (Parquet, Arrow): a typed output keeps them for pass-through columns. */
  types?: readonly (ColumnType | undefined)[];
}

/** Where normalized rows go: one per output format. */
export interface TableSink {
  start(layout: TableLayout): Promise<void>;
  rows(rows: readonly Row[]): Promise<void>;
  end(): Promise<void>;
}
