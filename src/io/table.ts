/**
 * The shape every reader produces and every writer consumes: a header of column names and rows
 * of raw cells. Cells stay exactly as read, so pass-through columns and missing markers are
 * written back unchanged; only feature cells are parsed, by the pipeline.
 */
import type { ColumnType } from './column-types.js';

/** A raw cell: text from CSV/TSV, or a JSON value (`undefined` is an absent key). */
export type Cell = string | number | boolean | null | undefined | object;

export interface Row {
  /** Cells by column index. A JSON object's row may be shorter than the header (absent keys). */
  cells: Cell[];
  /** 1-based input line where the row starts (CSV, TSV, NDJSON); 0 for a JSON array's record. */
  line: number;
  /** 0-based record index (JSON arrays), for messages. */
  record?: number;
  /** A JSON object's keys, as column indices in the object's own order (absent keys left out). */
  keys?: number[];
}

export type Format = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet' | 'arrow';

/** What a reader needs to know of its input's table once the header (or first record) is read. */
export interface TableShape {
  /** Column names; for JSON objects the union of keys so far, which may grow while reading. */
  readonly columns: string[];
  /** The label used in messages: the file name as given, or "<stdin>". */
  readonly label: string;
  readonly keyed: boolean;
  readonly format: Format;
  /** Column types, by index: a typed format's (Parquet, Arrow) schema; undefined for text. */
  readonly types?: readonly (ColumnType | undefined)[];
  /**
   * JSON objects, whose columns are keys as they appear: make these keys columns now, before a
   * record has them (a record without one has it missing). Returns the list of those of them that
   * no record has had so far.
   */
  readonly expectKeys?: (keys: readonly string[]) => () => string[];
}

export interface TableSource extends TableShape {
  /**
   * Column names, filled in as the input is read: the header (or the first row) of CSV/TSV and
   * JSON arrays; for JSON objects the union of keys in first-seen order, which grows when a key
   * first appears in a later record.
   */
  readonly columns: string[];
  /** Records are keyed by column name (a CSV header, JSON objects), not positional. Known once the first chunk is read. */
  readonly keyed: boolean;
  /** The rows, in order, in chunks of a few hundred. */
  chunks(): AsyncGenerator<Row[]>;
  /**
   * Bytes of the input read so far (CSV/TSV readers): a cheap counter for a progress display
   * to poll, with no per-row callback.
   */
  bytesRead?(): number;
}
