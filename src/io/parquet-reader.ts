/**
 * Parquet → columnar blocks (./columnar.ts), with hyparquet (pure JavaScript, no native code).
 * A row group at a time: memory is bounded by the largest row group, not by the file. Parquet
 * keeps its metadata at the end, so the reader needs a file it can seek in (standard input is
 * spooled to one first: ./seekable-input.ts).
 *
 * Types come from the schema: integers (any width, signed or not), FLOAT, DOUBLE, FLOAT16 and
 * DECIMAL are numeric. A DECIMAL is read as its unscaled integer (hyparquet's own conversion
 * divides in floating point, rounding twice past 2^53) and becomes its exact decimal text: its
 * value as a feature is the double nearest to it, and as a pass-through cell it is written back
 * digit for digit.
 */
import { parquetMetadataAsync, parquetRead, type ColumnData, type Compressors, type DecodedArray, type FileMetaData, type RowGroup, type SchemaElement } from 'hyparquet';
import { BnError, quoteText } from '../errors.js';
import { checkUniqueNames } from './csv-rows.js';
import { decimalText, isNumericType, type ColumnType, type Temporal } from './column-types.js';
import { corruptFile, floatColumn, plainCell, type BlockLifetime, type ColumnBlock } from './columnar.js';
import { NullableDoubles } from './nullable-doubles.js';
import { TextCells, type AsciiFieldSink } from './text-cells.js';
import { chunkRange, flatColumnDecoders, RAW_PARSERS, readFlatChunk, viewedBuffers, type ChunkMemory, type ChunkValues, type ColumnDecoder } from './parquet-column.js';
import { temporalText } from './temporal-text.js';
import { parquetFile, type ParquetFile } from './parquet-file.js';
import { GroupMemory } from './parquet-memory.js';
import { consecutivePageDecompressors, pageDecompressors, READ_CODECS } from './parquet-codecs.js';
import { openSeekable, type BinaryInput, type ClosableSource } from './seekable-input.js';
import type { Cell } from './table.js';

/** A Parquet input: a regular file in place, anything else spooled first (./seekable-input.ts). */
export function openParquetInput(input: BinaryInput, label: string): Promise<ClosableSource> {
  return openSeekable(input.path, input.stream, label, (path) => openParquet(path, label));
}

/** The Parquet file at `path` (`label` in messages), its metadata read. */
export async function openParquet(
  path: string,
  label: string,
): Promise<ClosableSource & { readGroup(index: number, lifetime?: BlockLifetime, wanted?: readonly number[]): Promise<ColumnBlock | undefined> }> {
  const memory = new GroupMemory();
  const file = parquetFile(path, label, memory);
  try {
    const metadata = await parquetMetadataAsync(file);
    const elements = topLevelColumns(metadata, label);
    refuseUnreadCodecs(metadata, elements, label);
    const types = elements.map(columnType);
    const columns = elements.map((e) => e.name);
    checkUniqueNames(columns, label, 'columns');
    // Decimals read as their unscaled integers (see above), and intervals as their 12 bytes (which
    // hyparquet refuses to convert): their annotation taken off a copy of the schema.
    const bare = (e: SchemaElement) => isDecimal(e) || e.converted_type === 'INTERVAL';
    const raw: FileMetaData = { ...metadata, schema: metadata.schema.map((e) => (bare(e) ? { ...e, converted_type: undefined, logical_type: undefined } : e)) };
    const groups = new RowGroups(file, raw, columns, types, label, memory);
    return {
      columns,
      types,
      label,
      keyed: true,
      format: 'parquet',
      blocks: (take, lifetime, wanted) => groups.blocks(take, lifetime, wanted),
      partitioned: { path, count: raw.row_groups.length },
      readGroup: (index: number, lifetime?: BlockLifetime, wanted?: readonly number[]) => groups.read(index, lifetime, wanted),
      close: async () => file.close(),
    };
  } catch (err) {
    file.close();
    throw corruptFile('Parquet', err, label);
  }
}

/** A codec bn has no decompressor for (LZO) is named before any page is read, with the column that has it. */
function refuseUnreadCodecs(metadata: FileMetaData, elements: SchemaElement[], label: string): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec === undefined || READ_CODECS.includes(codec)) continue;
      const name = chunk.meta_data!.path_in_schema.join('.') || elements[group.columns.indexOf(chunk)]?.name;
      throw new BnError('BN_CORRUPT_FILE', `column ${quoteText(name ?? '')} is compressed with ${codec}, which bn does not read (it reads ${READ_CODECS.filter((c) => c !== 'UNCOMPRESSED').join(', ')}): write the file again with one of those`, { file: label });
    }
  }
}

/** The schema's columns (the root's children); a nested one (list, struct, map) is refused, naming it. */
function topLevelColumns(metadata: FileMetaData, label: string): SchemaElement[] {
  const [root, ...rest] = metadata.schema;
  if (root === undefined) throw new Error('no schema');
  const out: SchemaElement[] = [];
  for (let k = 0; k < rest.length; k++) {
    const element = rest[k]!;
    if (element.num_children) throw new BnError('BN_BAD_RECORD', `column ${quoteText(element.name)}: nested Parquet columns (lists, structs, maps) are not supported`, { file: label });
    out.push(element);
  }
  return out;
}

const isDecimal = (e: SchemaElement) => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';

const INT_CONVERTED: Record<string, ColumnType> = {
  INT_8: { kind: 'int', bits: 8, signed: true },
  INT_16: { kind: 'int', bits: 16, signed: true },
  INT_32: { kind: 'int', bits: 32, signed: true },
  INT_64: { kind: 'int', bits: 64, signed: true },
  UINT_8: { kind: 'int', bits: 8, signed: false },
  UINT_16: { kind: 'int', bits: 16, signed: false },
  UINT_32: { kind: 'int', bits: 32, signed: false },
  UINT_64: { kind: 'int', bits: 64, signed: false },
};

/** A leaf column's type, from its physical type and its annotations. */
function columnType(e: SchemaElement): ColumnType {
  const temporal = temporalOf(e);
  if (temporal) return { kind: 'other', name: e.logical_type?.type ?? e.converted_type ?? e.type ?? 'unknown', temporal };
  const logical = e.logical_type;
  if (isDecimal(e)) {
    const precision = logical?.type === 'DECIMAL' ? logical.precision : (e.precision ?? 38);
    const scale = logical?.type === 'DECIMAL' ? logical.scale : (e.scale ?? 0);
    return { kind: 'decimal', precision, scale };
  }
  if (logical?.type === 'INTEGER') return { kind: 'int', bits: logical.bitWidth as 8 | 16 | 32 | 64, signed: logical.isSigned };
  if (e.converted_type !== undefined && INT_CONVERTED[e.converted_type]) return INT_CONVERTED[e.converted_type]!;
  if (logical?.type === 'FLOAT16') return { kind: 'float', bits: 16 };
  const annotated = e.converted_type !== undefined || logical !== undefined;
  switch (e.type) {
    case 'INT32':
      return annotated ? { kind: 'other', name: logical?.type ?? e.converted_type! } : { kind: 'int', bits: 32, signed: true };
    case 'INT64':
      return annotated ? { kind: 'other', name: logical?.type ?? e.converted_type! } : { kind: 'int', bits: 64, signed: true };
    case 'FLOAT':
      return { kind: 'float', bits: 32 };
    case 'DOUBLE':
      return { kind: 'float', bits: 64 };
    case 'BOOLEAN':
      return { kind: 'bool' };
    case 'BYTE_ARRAY':
      if (!annotated || e.converted_type === 'UTF8' || e.converted_type === 'ENUM' || logical?.type === 'STRING' || logical?.type === 'ENUM') return { kind: 'string' };
      return { kind: 'other', name: logical?.type ?? e.converted_type! };
    default:
      return { kind: 'other', name: logical?.type ?? e.converted_type ?? e.type ?? 'unknown' };
  }
}

/**
 * What a date, time or timestamp column's integers count: from its logical type, or from its
 * converted type (the older annotation, whose timestamps are UTC); INT96 is nanoseconds (Spark's
 * and Impala's timestamps, UTC instants).
 */
function temporalOf(e: SchemaElement): Temporal | undefined {
  const logical = e.logical_type;
  if (logical?.type === 'DATE' || e.converted_type === 'DATE') return { of: 'date', unit: 'DAY', utc: false };
  if (logical?.type === 'TIMESTAMP') return { of: 'timestamp', unit: logical.unit, utc: logical.isAdjustedToUTC };
  if (logical?.type === 'TIME') return { of: 'time', unit: logical.unit, utc: logical.isAdjustedToUTC };
  if (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS') return { of: 'timestamp', unit: e.converted_type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS', utc: true };
  if (e.converted_type === 'TIME_MILLIS' || e.converted_type === 'TIME_MICROS') return { of: 'time', unit: e.converted_type === 'TIME_MILLIS' ? 'MILLIS' : 'MICROS', utc: true };
  if (e.type === 'INT96' && e.converted_type === undefined) return { of: 'timestamp', unit: 'NANOS', utc: true };
  if (e.converted_type === 'INTERVAL') return { of: 'interval', unit: 'MILLIS', utc: false };
  return undefined;
}

/** A file's row groups, read by index. */
class RowGroups {
  /** The index of each group's first row in the table. */
  private readonly starts: number[] = [];
  /** Pages decompressed into `memory` (./parquet-codecs.ts). */
  private readonly compressors: Compressors;
  private readonly chunkMemory: ChunkMemory;
  /** By column: how ./parquet-column.ts decodes it, or undefined: hyparquet's reader does. */
  private readonly decoders: (ColumnDecoder | undefined)[];

  constructor(
    private readonly file: ParquetFile,
    private readonly metadata: FileMetaData,
    private readonly columns: string[],
    private readonly types: ColumnType[],
    private readonly label: string,
    private readonly memory: GroupMemory,
  ) {
    let start = 0;
    for (const group of metadata.row_groups) {
      this.starts.push(start);
      start += Number(group.num_rows);
    }
    const decompressors = (bounded: boolean): Compressors => pageDecompressors((size) => memory.page(size, bounded));
    this.compressors = decompressors(false);
    this.chunkMemory = {
      doubles: (length) => memory.doubles(length),
      scratch: (length) => memory.scratch(length),
      int32s: (length) => memory.int32s(length),
      bytes: (length) => memory.text(length),
      boundedPages: decompressors(true),
      consecutivePages: (byteLength) => consecutivePageDecompressors(memory.text(byteLength), (size) => memory.page(size, true)),
    };
    this.decoders = flatColumnDecoders(metadata, columns.length, this.compressors);
  }

  /** Every group in order, or the ones `take` hands out. Empty groups are skipped. */
  async *blocks(take?: () => number | undefined, lifetime?: BlockLifetime, wanted?: readonly number[]): AsyncGenerator<ColumnBlock> {
    let next = 0;
    const order = take ?? (() => (next < this.starts.length ? next++ : undefined));
    for (let index = order(); index !== undefined; index = order()) {
      const block = await this.read(index, lifetime, wanted);
      if (block) yield block;
    }
  }

  /**
   * Group `index`, decoded (only the `wanted` columns, when given: a text column a statistics pass
   * does not use costs nothing); undefined when it has no rows. Its memory is reused for the next
   * read when it lives `until-next`, and for later ones once it is released when it is kept.
   */
  async read(index: number, lifetime: BlockLifetime = 'kept', wanted?: readonly number[]): Promise<ColumnBlock | undefined> {
    const { file, metadata, columns, types, label, memory } = this;
    const start = this.starts[index]!;
    const group = metadata.row_groups[index]!;
    const rows = Number(group.num_rows);
    if (rows === 0) return undefined;
    const read = wanted ?? columns.map((_, j) => j);
    const data = new Array<ChunkValues | undefined>(columns.length);
    try {
      // Every chunk this module decodes is read ahead, into reused memory (compressed chunks go to
      // the arena whatever the block's lifetime), and the reads overlap the decoding. Not one that
      // hyparquet's reader reads (no decoder): its values may view the chunk in place.
      const { kept } = await memory.read(lifetime, async () => {
        file.prefetch(read.flatMap((j) => (this.decoders[j] ? (chunkRange(group, j) ?? []) : [])));
        for (const j of read) {
          const mark = memory.mark();
          const values = await this.column(j, group, start, rows);
          const viewed = viewedBuffers(values);
          if (viewed) memory.keepOnly(mark, viewed);
          data[j] = values;
        }
      });
      const block = new RowGroupBlock(data, start, rows, columns, types, label, (length) => memory.numbers(length, lifetime, kept));
      block.release = () => {
        block.release = undefined;
        memory.giveBack(kept);
      };
      return block;
    } catch (err) {
      throw corruptFile('Parquet', err, label);
    }
  }

  /**
   * Column j's values over the group's rows: a flat column's chunk by ./parquet-column.ts; any
   * other by hyparquet (defensively: the columns of a file bn opens are flat, but one without
   * metadata in the first group has no decoder there).
   */
  private async column(j: number, group: RowGroup, start: number, rows: number): Promise<ChunkValues> {
    const decoder = this.decoders[j];
    const range = chunkRange(group, j);
    if (decoder && range) return readFlatChunk(await this.file.slice(range.start, range.end), range.end - range.start, { ...decoder, codec: range.codec }, rows, this.chunkMemory);
    const chunks: ColumnData[] = [];
    const name = this.columns[j]!;
    await parquetRead({
      file: this.file,
      metadata: this.metadata,
      rowStart: start,
      rowEnd: start + rows,
      columns: [name],
      utf8: false,
      parsers: RAW_PARSERS,
      compressors: this.compressors,
      onChunk: (chunk) => chunks.push(chunk),
    });
    return columnValues(chunks, start, rows, name, this.label);
  }
}

/** A column's values over the group's rows, from the chunks hyparquet decoded (which may reach outside them). */
function columnValues(chunks: ColumnData[], start: number, rows: number, name: string, label: string): DecodedArray {
  if (chunks.length === 0) throw new BnError('BN_CORRUPT_FILE', `not a valid Parquet file: no data for column ${quoteText(name)}`, { file: label });
  if (chunks.length === 1 && chunks[0]!.rowStart === start && chunks[0]!.columnData.length === rows) return chunks[0]!.columnData;
  const out: unknown[] = new Array(rows).fill(null);
  for (const { columnData, rowStart } of chunks) {
    for (let k = 0; k < columnData.length; k++) {
      const i = rowStart + k - start;
      if (i >= 0 && i < rows) out[i] = columnData[k];
    }
  }
  return out;
}

class RowGroupBlock implements ColumnBlock {
  release: (() => void) | undefined;

  constructor(
    /** By column: undefined where the column was not read. */
    private readonly data: (ChunkValues | undefined)[],
    readonly start: number,
    readonly rows: number,
    private readonly columns: string[],
    private readonly types: ColumnType[],
    private readonly label: string,
    /** Room for a column's numbers when they are not doubles already (integers, decimals, float32). */
    private readonly room: (length: number) => Float64Array,
  ) {}

  numbers(j: number): Float64Array {
    const type = this.types[j]!;
    const column = this.column(j);
    if (column instanceof TextCells) throw new RangeError(`column ${j} is not numeric`);
    if (column instanceof NullableDoubles) return floatColumn(column.values, this.rows, { file: this.label, start: this.start, name: this.columns[j] }, this.room);
    const values = type.kind === 'decimal' ? Array.from(column, (v) => this.decimal(v, type.scale)) : column;
    if (!isNumericType(type)) throw new RangeError(`column ${j} is not numeric`);
    return floatColumn(values as ArrayLike<unknown>, this.rows, { file: this.label, start: this.start, name: this.columns[j] }, this.room);
  }

  cell(i: number, j: number): Cell {
    const type = this.types[j]!;
    const column = this.column(j);
    if (column instanceof TextCells) return column.text(i);
    if (column instanceof NullableDoubles) return column.cell(i);
    const value: unknown = column[i];
    if (type.kind === 'decimal') return value === null || value === undefined ? null : decimalText(unscaled(value), type.scale);
    if (type.kind === 'int' && !type.signed && typeof value === 'number' && value < 0) return value + 2 ** type.bits;
    if (type.kind === 'other' && type.temporal && (typeof value === 'number' || typeof value === 'bigint' || value instanceof Uint8Array)) return temporalText(type.temporal, value);
    return plainCell(value);
  }

  writeAscii(i: number, j: number, out: AsciiFieldSink): boolean {
    const column = this.column(j);
    return column instanceof TextCells && column.writeAscii(i, out);
  }

  private column(j: number): ChunkValues {
    const column = this.data[j];
    if (column === undefined) throw new RangeError(`column ${j} was not read`);
    return column;
  }

  /** A decimal's value: the double nearest its exact decimal text. */
  private decimal(value: unknown, scale: number): number {
    return value === null || value === undefined ? Number.NaN : Number(decimalText(unscaled(value), scale));
  }
}

/** A decimal's unscaled integer as hyparquet decodes it raw: INT32/INT64, or big-endian two's complement bytes. */
function unscaled(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  const bytes = value as Uint8Array;
  let x = 0n;
  for (const byte of bytes) x = (x << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && bytes[0]! >= 0x80 ? x - (1n << bits) : x;
}
