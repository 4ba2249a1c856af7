/**
 * The shape every reader produces and every writer consumes: a header of column names and rows
 * of raw cells. Cells stay exactly as read, so pass-through columns and missing markers are
 * written back unchanged; only feature cells are parsed, by the pipeline.
 */

/** A raw cell: text from CSV/TSV, or a JSON value (`undefined` is an absent key). */
export type Cell = string | number | boolean | null | undefined | object;

export interface Row {
  cells: Cell[];
  /** 1-based input line where the row starts (text formats), for messages. */
  line: number;
  /** 0-based record index (JSON arrays), for messages. */
  record?: number;
}

export type Format = 'csv' | 'tsv' | 'json' | 'ndjson';

export interface TableSource {
  readonly format: Format;
  /** The label used in messages: the file name as given, or "<stdin>". */
  readonly label: string;
  /** Column names; filled in once the header (or the first row) has been read. */
  readonly columns: string[];
  /** The rows, in order, in chunks of a few hundred. */
  chunks(): AsyncGenerator<Row[]>;
}
