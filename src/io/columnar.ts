/**
 * What a reader of a typed, columnar format (Parquet, Arrow IPC) hands on: the table's columns
 * with their types, then its rows in blocks (a row group, a record batch), column by column. The
 * data path turns blocks into batches without building a row (../pipeline/column-batches.ts):
 * a feature column's numbers are copied as they are, which is what makes these formats fast.
 */
import { BnError } from '../errors.js';
import type { ColumnType } from './column-types.js';
import type { AsciiFieldSink } from './text-cells.js';
import { bytesText } from './temporal-text.js';
import type { Cell, TableShape } from './table.js';

/** Consecutive rows of a typed table, by column. */
export interface ColumnBlock {
  readonly rows: number;
  /** The index of its first row in the table. */
  readonly start: number;
  /**
   * Column j's values as float64, NaN where null (SPEC §2: a null is a missing value); for a
   * numeric column only. The array may be the reader's own: read it, do not keep it.
   * Throws BN_NOT_FINITE, naming the row, at an infinite value.
   */
  numbers(j: number): Float64Array;
  /**
   * Row i's cell in column j as a writer writes it back: a number, a string (text; the exact
   * digits of a decimal, or of a 64-bit integer beyond 2^53), a boolean, or null.
   */
  cell(i: number, j: number): Cell;
  /** Row i's cell in column j written into `out` as its bytes, when the block holds it so and it is ASCII text; false, nothing written, otherwise. */
  writeAscii?(i: number, j: number, out: AsciiFieldSink): boolean;
  /**
   * Called once the caller is done with a block it kept (no batch holds its rows any more, and
   * nothing it handed out is read again): its reader may reuse its memory.
   */
  release?: (() => void) | undefined;
}

/** What a block's memory must outlive: 'kept' (until it is released, if ever: ColumnBlock.release), or 'until-next' (dropped before the next block is asked for). */
export type BlockLifetime = 'kept' | 'until-next';

export interface ColumnarSource extends TableShape {
  /** Column types, by column index (known from the file's schema before the first row). */
  readonly types: readonly ColumnType[];
  /**
   * The rows, a block at a time, in order; with `take` (a source that is `partitioned`), the
   * blocks whose indices `take` hands out, until it says none are left (worker threads read the others).
   * `lifetime` 'until-next' promises that a block is dropped before the next is asked for: the
   * reader may then reuse its memory (default 'kept'). `wanted`: the only columns the caller
   * will ask a block for (a reader may leave the others undecoded); default, all.
   */
  blocks(take?: () => number | undefined, lifetime?: BlockLifetime, wanted?: readonly number[]): AsyncGenerator<ColumnBlock>;
  /** Blocks that worker threads may read by index (a Parquet file's row groups): the file, and how many there are. */
  readonly partitioned?: { path: string; count: number };
}

/** A feature value that is not finite (an IEEE infinity in a float column): an invalid value (SPEC §2). */
function infiniteValue(value: number, where: { file: string; record: number; name: string | undefined }): BnError {
  return new BnError('BN_NOT_FINITE', `not a finite number: ${value > 0 ? 'Infinity' : '-Infinity'}`, where);
}

/**
 * `values` (a float column decoded by a library) as float64, NaN where null: the array itself
 * when it is one already and holds no infinity (the common case costs one scan), a copy
 * otherwise, in `room` (new memory unless the reader has some to reuse). NaN stays NaN: a missing
 * value, as the text "NaN" is. `start`: the block's first row in the table, for a message.
 */
export function floatColumn(
  values: ArrayLike<unknown>,
  rows: number,
  where: { file: string; start: number; name: string | undefined },
  room: (length: number) => Float64Array = (length) => new Float64Array(length),
): Float64Array {
  if (values instanceof Float64Array && values.length === rows) return finiteColumn(values, where);
  const out = room(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    const x = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v === null || v === undefined ? Number.NaN : Number(v);
    if (x - x !== 0 && x === x) throw infiniteValue(x, { file: where.file, record: where.start + i, name: where.name });
    out[i] = x;
  }
  return out;
}

/**
 * `values` as they are, after one scan for an infinity: a loop of its own, on one array type,
 * compiles to a few instructions a value (in floatColumn's general loop, which takes any
 * array, the scan of the bench's 10 million doubles took 41 ms; here 5).
 */
function finiteColumn(values: Float64Array, where: { file: string; start: number; name: string | undefined }): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x - x !== 0 && x === x) throw infiniteValue(x, { file: where.file, record: where.start + i, name: where.name });
  }
  return values;
}

/** A cell of a typed column as `ColumnBlock.cell` hands it on (see there). */
export function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // Binary: its text when it is UTF-8, else escaped byte by byte (not U+FFFD for what is not).
  if (value instanceof Uint8Array) return bytesText(value);
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A file the library could not read: one line naming the file and what is wrong (SPEC §6). */
export function corruptFile(what: string, err: unknown, label: string): BnError {
  if (err instanceof BnError) return err;
  // A TypeError or RangeError is the library tripping over bytes it did not expect: its text
  // ("Cannot read properties of null") would say nothing to a user.
  const said = err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError) ? `: ${err.message.split('\n')[0]}` : '';
  return new BnError('BN_CORRUPT_FILE', `not a valid ${what} file (corrupt or truncated?)${said}`, { file: label });
}
