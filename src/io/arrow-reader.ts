/**
 * Arrow IPC → columnar blocks (./columnar.ts), with apache-arrow (the Arrow project's own
 * JavaScript implementation), a record batch at a time: memory is bounded by the largest batch.
 * A regular file is read in place (the file format by its footer, which says where each batch
 * is); on standard input the stream format (`.arrows`) is read as it comes, and the file format
 * (`.arrow`, `.feather` v2) is spooled to a temporary file first (apache-arrow would otherwise
 * read all of it into memory to find its footer).
 *
 * Numeric types: Int (any width, signed or not), Float (16, 32, 64 bits) and Decimal; a Decimal
 * becomes its exact decimal text (a feature: the double nearest it; a pass-through cell: written
 * back digit for digit). A dictionary column has the type of its values.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DataType, DateUnit, RecordBatchReader, type Data, type Field, type RecordBatch, type Vector } from 'apache-arrow';
import { BnError, quoteText } from '../errors.js';
import { checkUniqueNames } from './csv-rows.js';
import './arrow-codecs.js';
import { decimalText, type ColumnType, type Temporal, type TimeUnit } from './column-types.js';
import { corruptFile, floatColumn, plainCell, type ColumnarSource, type ColumnBlock } from './columnar.js';
import { isArrowFile } from './formats.js';
import { atLeast, peek } from './peek.js';
import { openSeekable, type BinaryInput, type ClosableSource } from './seekable-input.js';
import type { Cell } from './table.js';
import { temporalText } from './temporal-text.js';
import type { AsciiFieldSink } from './text-cells.js';

/** An Arrow IPC input (file or stream format): see above for how each is read. */
export async function openArrowInput(input: BinaryInput, label: string): Promise<ClosableSource> {
  if (input.path !== undefined) return openArrowFile(input.path, label);
  const start = await peek(input.stream(), atLeast(8));
  if (isArrowFile(Buffer.concat(start.head))) return openSeekable(undefined, () => start.input, label, (path) => openArrowFile(path, label));
  return { ...(await openArrow(start.input, label)), close: async () => void start.input.destroy() };
}

async function openArrowFile(path: string, label: string): Promise<ClosableSource> {
  const handle = await open(path, 'r');
  try {
    return { ...(await openArrow(handle, label)), close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The Arrow IPC file or stream in `input` (`label` in messages), its schema read. */
async function openArrow(input: Readable | FileHandle, label: string): Promise<ColumnarSource> {
  let reader: RecordBatchReader;
  try {
    reader = await RecordBatchReader.from(input as AsyncIterable<Uint8Array>);
    await reader.open();
  } catch (err) {
    throw arrowError(err, label);
  }
  if (reader.schema === undefined || reader.schema === null) throw new BnError('BN_EMPTY_INPUT', 'empty input: no Arrow schema', { file: label });
  const fields = reader.schema.fields as Field[];
  checkUniqueNames(fields.map((f) => f.name), label, 'columns');
  // As in Parquet: a nested value has no one text that every output would read back (a list as
  // JSON text in a string, its int64s quoted, its dates as numbers was what came out before).
  // Every nested type (list, large list, fixed-size list, struct, map, union) has child fields.
  const nested = fields.find((f) => ((f.type as DataType).children?.length ?? 0) > 0);
  if (nested) throw new BnError('BN_BAD_RECORD', `column ${quoteText(nested.name)}: nested Arrow columns (lists, structs, maps, unions) are not supported`, { file: label });
  const types = fields.map((f) => columnType(f.type as DataType));
  return {
    columns: fields.map((f) => f.name),
    types,
    label,
    keyed: true,
    format: 'arrow',
    blocks: () => recordBatches(reader, types, label),
  };
}

function arrowError(err: unknown, label: string): BnError {
  return corruptFile('Arrow IPC', err, label);
}

/** An Arrow type as bn's column type. */
function columnType(type: DataType): ColumnType {
  if (DataType.isDictionary(type)) return columnType(type.dictionary);
  if (DataType.isInt(type)) return { kind: 'int', bits: type.bitWidth, signed: type.isSigned };
  if (DataType.isFloat(type)) return { kind: 'float', bits: type.precision === 0 ? 16 : type.precision === 1 ? 32 : 64 };
  if (DataType.isDecimal(type)) return { kind: 'decimal', precision: type.precision, scale: type.scale };
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return { kind: 'string' };
  if (DataType.isBool(type)) return { kind: 'bool' };
  const temporal = temporalOf(type);
  return temporal ? { kind: 'other', name: String(type), temporal } : { kind: 'other', name: String(type) };
}

/** Arrow's TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND) as bn's. */
const UNITS: readonly TimeUnit[] = ['SECOND', 'MILLIS', 'MICROS', 'NANOS'];

/** What a date, time or timestamp column's integers count (a timestamp with a time zone is a UTC instant, as Arrow defines it). */
function temporalOf(type: DataType): Temporal | undefined {
  if (DataType.isTimestamp(type)) {
    const zone = type.timezone ?? undefined;
    return zone ? { of: 'timestamp', unit: UNITS[type.unit]!, utc: true, zone } : { of: 'timestamp', unit: UNITS[type.unit]!, utc: false };
  }
  if (DataType.isDate(type)) return { of: 'date', unit: type.unit === DateUnit.DAY ? 'DAY' : 'MILLIS', utc: false };
  if (DataType.isTime(type)) return { of: 'time', unit: UNITS[type.unit]!, utc: false };
  if (DataType.isDuration(type)) return { of: 'duration', unit: UNITS[type.unit]!, utc: false };
  return undefined;
}

/** Row i of a vector as the integer it stores (apache-arrow's get() makes a date or timestamp milliseconds, a float); null where null. */
function storedInteger(vector: Vector, i: number): number | bigint | null {
  if (!vector.isValid(i)) return null;
  let k = i;
  for (const data of vector.data) {
    if (k < data.length) return (data.values as Int32Array | BigInt64Array)[data.offset + k]!;
    k -= data.length;
  }
  return null;
}

async function* recordBatches(reader: RecordBatchReader, types: ColumnType[], label: string): AsyncGenerator<ColumnBlock> {
  let start = 0;
  const batches = reader[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await batches.next();
    } catch (err) {
      throw arrowError(err, label);
    }
    if (next.done) return;
    const batch = next.value;
    if (batch.numRows > 0) yield new RecordBatchBlock(batch, start, types, label);
    start += batch.numRows;
  }
}

class RecordBatchBlock implements ColumnBlock {
  readonly rows: number;
  private readonly vectors: Vector[];
  private readonly names: string[];

  constructor(
    batch: RecordBatch,
    readonly start: number,
    private readonly types: ColumnType[],
    private readonly label: string,
  ) {
    this.rows = batch.numRows;
    this.vectors = batch.schema.fields.map((_, j) => batch.getChildAt(j)!);
    this.names = batch.schema.fields.map((f) => f.name);
  }

  numbers(j: number): Float64Array {
    const vector = this.vectors[j]!;
    const type = this.types[j]!;
    const where = { file: this.label, start: this.start, name: this.names[j] };
    const data = vector.data[0];
    // A numeric column of one chunk, from its buffer: a float64 one as it is, integers and float32
    // widened in one loop, not value by value through the vector's getter (a float16's buffer
    // holds its bits, not its value: that goes the long way below). Nulls set to NaN.
    const floats = data !== undefined && DataType.isFloat(data.type) && (data.values instanceof Float64Array || data.values instanceof Float32Array);
    if (vector.data.length === 1 && data !== undefined && (floats || DataType.isInt(data.type))) {
      const buffer = data.values.subarray(data.offset, data.offset + data.length);
      const values = buffer instanceof Float64Array ? buffer : widened(buffer);
      return floatColumn(data.nullCount > 0 ? withNulls(values, data, values === buffer) : values, this.rows, where);
    }
    const out = new Array<unknown>(this.rows);
    for (let i = 0; i < this.rows; i++) {
      const v: unknown = vector.get(i);
      out[i] = type.kind === 'decimal' && v !== null ? Number(decimalText(decimalBigInt(v), type.scale)) : v;
    }
    return floatColumn(out, this.rows, where);
  }

  cell(i: number, j: number): Cell {
    const type = this.types[j]!;
    if (type.kind === 'other' && type.temporal) {
      const stored = storedInteger(this.vectors[j]!, i);
      return stored === null ? null : temporalText(type.temporal, stored);
    }
    const v: unknown = this.vectors[j]!.get(i);
    if (type.kind === 'decimal') return v === null ? null : decimalText(decimalBigInt(v), type.scale);
    return plainCell(v);
  }

  /**
   * A text cell of a column of one chunk, as its bytes (as the Parquet reader's text cells are):
   * Utf8 (apache-arrow's, pyarrow's, DuckDB's writing) or Utf8View (Polars'). Anything else, or a
   * view that does not add up, is left to cell().
   */
  writeAscii(i: number, j: number, out: AsciiFieldSink): boolean {
    const vector = this.vectors[j]!;
    const data = vector.data[0];
    if (vector.data.length !== 1 || data === undefined || !data.getValid(i)) return false;
    if (DataType.isUtf8(data.type)) {
      const offsets = data.valueOffsets as Int32Array;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      return end > start && out.asciiField(data.values as Uint8Array, start, end);
    }
    if (DataType.isUtf8View(data.type)) return writeViewAscii(data.values as Uint8Array, data.variadicBuffers as Uint8Array[], i, out);
    return false;
  }
}

/**
 * Cell i of a Utf8View column: its 16-byte view holds the length, then the bytes themselves up to
 * 12 of them, else the index of a data buffer and the offset in it (the Arrow columnar format).
 */
function writeViewAscii(views: Uint8Array, buffers: readonly Uint8Array[], i: number, out: AsciiFieldSink): boolean {
  const at = i * 16;
  if (at + 16 > views.length) return false;
  const word = (k: number) => views[k]! | (views[k + 1]! << 8) | (views[k + 2]! << 16) | (views[k + 3]! << 24);
  const size = word(at);
  if (size <= 0) return false;
  if (size <= 12) return out.asciiField(views, at + 4, at + 4 + size);
  const buffer = buffers[word(at + 8)];
  const offset = word(at + 12);
  return buffer !== undefined && offset >= 0 && offset + size <= buffer.length && out.asciiField(buffer, offset, offset + size);
}

/** An integer or float32 buffer as doubles (a 64-bit integer rounded to the nearest, as its text would be). */
function widened(values: ArrayLike<number | bigint>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(values[i]!);
  return out;
}

/** `values` with NaN at the rows the validity bitmap says are null: in a copy when `copy` (the column's own buffer), else in place. */
function withNulls(values: Float64Array, data: Data, copy: boolean): Float64Array {
  const out = copy ? Float64Array.from(values) : values;
  for (let i = 0; i < out.length; i++) if (!data.getValid(i)) out[i] = Number.NaN;
  return out;
}

/** apache-arrow gives a decimal as its unscaled words (little-endian 32-bit, two's complement): the integer. */
function decimalBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  const words = value as Uint32Array;
  let x = 0n;
  for (let k = words.length - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[k]!);
  const bits = BigInt(words.length * 32);
  return words.length > 0 && words[words.length - 1]! >= 0x80000000 ? x - (1n << bits) : x;
}
