import type { ColumnType } from './column-types.js';
import type { Cell, Format, Row } from './table.js';

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
  /** A typed sink's other way in: a batch's columns, no row built. */
  readonly gatherer?: ColumnGatherer;
}

/**
 * A batch as a typed sink gathers it, column by column (the pipeline's batch and its records,
 * as io/ sees them).
 */
export interface BatchColumns {
  /** At each feature column, its values, transformed; NaN where there is none (the cell as read is written then). */
  readonly values: readonly (Float64Array | undefined)[];
  /** Cell j of row i as read: what the row would hold. */
  readonly value: (i: number, j: number) => Cell;
}

/**
 * What a typed sink (Parquet, Arrow) takes instead of rows: it builds columns of the output's
 * types anyway, and a batch's are there to take, so no row (nor a feature cell's text) is made.
 */
export interface ColumnGatherer {
  /**
   * Rows [0, count) of a batch, after `start` (whose work is done before its promise settles),
   * gathered at once: the batch's arrays are valid only during the call. The groups (row groups,
   * record batches) are those `rows` makes of the same rows.
   */
  gather(batch: BatchColumns, count: number): void;
  /** A group is gathered in full and waits for `writeReady`. */
  readonly ready: boolean;
  /** Writes the groups gathered in full; the rows after them wait for more, or for `end`. */
  writeReady(): Promise<void>;
}
