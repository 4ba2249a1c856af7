/**
 * A flat Parquet column chunk's values (a top-level column, neither repeated nor nested): its
 * pages read and put together here; pages of encodings other than PLAIN and by dictionary
 * (delta, byte stream split, booleans' RLE) by hyparquet's own page readers.
 *
 * Why not hyparquet's column reader: it puts every page together with its general assembly of
 * nested data (lists, structs), which walks an OPTIONAL column value by value into a plain array,
 * even a page with no null in it. Every column of a file written by DuckDB, pandas (pyarrow),
 * Polars or Spark is OPTIONAL, so every double became a boxed number in an array: measured on a
 * 1M-row DuckDB file, 0.95 s of `bn stats`' 2.1 s, plus the garbage collector's 0.4 s and
 * 200 MB. Here a page without nulls is the typed array its values make (a PLAIN page of doubles,
 * a view of the page; by dictionary, a Float64Array), text is kept as its page bytes
 * (./text-cells.ts), doubles with nulls as doubles and a validity mask (./nullable-doubles.ts),
 * and only a page of other values with nulls is spread into an array with null where its
 * definition level says so. test/io/parquet-column.test.ts checks it against
 * hyparquet's column reader on files of several writers. hyparquet's page readers are its own
 * modules, not its package's index: package.json takes hyparquet's patch releases only (~1.33.0),
 * since a minor one may change them.
 */
import { parquetSchema, type CompressionCodec, type Compressors, type DataPageHeader, type DecodedArray, type Encoding, type FileMetaData, type PageHeader, type RowGroup } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getTreePath, isFlatColumn } from 'hyparquet/src/schema.js';
import { NullableDoubles } from './nullable-doubles.js';
import { NEW_ARRAYS, TextCells, type TextRoom } from './text-cells.js';
import { countHybrid, readHybrid } from './parquet-hybrid.js';
import type { ChunkRange } from './parquet-file.js';

/** A chunk's values: hyparquet's arrays, text cells (a text column read here), or doubles with nulls. */
export type ChunkValues = DecodedArray | TextCells | NullableDoubles;

/**
 * Where a chunk's values go (./parquet-memory.ts): room for `length` doubles, the text room
 * (offsets, a chunk's text put together), and the decompressors of
 * the pages this module reads itself through views bounded by the page (see readsBounded: text,
 * dictionary indices, fixed-width PLAIN values), so that such a page may be a longer buffer
 * (default: the decoder's own). This module reads all of these through their own views: they
 * may be views of longer buffers.
 */
export interface ChunkMemory extends TextRoom {
  doubles(length: number): Float64Array;
  /** Bytes needed only while a page is read (its definition levels). */
  scratch(length: number): Uint8Array;
  /** Decompressors into buffers that may be longer than the page (see above). */
  boundedPages?: Compressors;
  /**
   * Decompressors that put pages one after the other into one buffer of `byteLength` bytes (past
   * it, each into its own): a text chunk's pages, which TextCells.join then joins uncopied.
   */
  consecutivePages?(byteLength: number): Compressors;
}

const NEW_MEMORY: ChunkMemory = { ...NEW_ARRAYS, doubles: (length) => new Float64Array(length), scratch: (length) => new Uint8Array(length) };

/**
 * hyparquet's parsers, but dates and timestamps left as their integers: its own make a JavaScript
 * Date, which keeps milliseconds only (a microsecond timestamp lost its last three digits). The
 * reader writes them as text itself, every digit kept (./temporal-text.ts).
 */
export const RAW_PARSERS: typeof DEFAULT_PARSERS = {
  ...DEFAULT_PARSERS,
  timestampFromMilliseconds: (millis) => millis,
  timestampFromMicroseconds: (micros) => micros,
  timestampFromNanoseconds: (nanos) => nanos,
  dateFromDays: (days) => days,
};

/** hyparquet's decoding parameters of a column (its ColumnDecoder, which its package index does not export). */
export type ColumnDecoder = Parameters<typeof readDataPage>[2];

/**
 * How to decode each of `columns` columns of `metadata`'s row groups (hyparquet's ColumnDecoder,
 * as its row-group reader makes it; its codec is the first group's, and a chunk of another group
 * takes its own: see chunkRange), or undefined for a column that is not flat (hyparquet's reader
 * reads it).
 */
export function flatColumnDecoders(metadata: FileMetaData, columns: number, compressors: Compressors): (ColumnDecoder | undefined)[] {
  const schema = parquetSchema(metadata);
  return Array.from({ length: columns }, (_, j) => {
    const meta = metadata.row_groups[0]?.columns[j]?.meta_data;
    if (!meta) return undefined;
    const schemaPath = getTreePath(schema, meta.path_in_schema);
    if (!isFlatColumn(schemaPath)) return undefined;
    const element = schemaPath[schemaPath.length - 1]!.element;
    return { pathInSchema: meta.path_in_schema, type: meta.type, element, schemaPath, codec: meta.codec, parsers: RAW_PARSERS, compressors, utf8: false };
  });
}

/**
 * Column j's chunk in `group`, as hyparquet reads it: its byte range (from its dictionary page, if
 * any) and its codec (each chunk has its own: a writer may compress one row group and not the
 * next). A chunk kept in another file is refused, as hyparquet refuses it.
 */
export function chunkRange(group: RowGroup, j: number): (ChunkRange & { codec: CompressionCodec }) | undefined {
  const chunk = group.columns[j];
  const meta = chunk?.meta_data;
  if (!meta) return undefined;
  if (chunk!.file_path) throw new Error('parquet file_path not supported');
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size), compressed: meta.codec !== 'UNCOMPRESSED', codec: meta.codec };
}

/**
 * The `rows` values of a flat column chunk, whose bytes start `buffer` (which may go on past the
 * chunk's `byteLength`): null where a value is missing. A chunk that ends before its rows, or
 * with a page of another kind, is refused.
 */
export function readFlatChunk(buffer: ArrayBuffer, byteLength: number, decoder: ColumnDecoder, rows: number, memory: ChunkMemory = NEW_MEMORY): ChunkValues {
  const reader = { view: new DataView(buffer, 0, byteLength), offset: 0 };
  const maxDefinition = getMaxDefinitionLevel(decoder.schemaPath);
  const pages: ChunkValues[] = [];
  let dictionary: ChunkValues | undefined;
  let read = 0;
  // A text chunk's pages of text (not its dictionary indices) one after the other in one buffer:
  // their cells are joined where they lie, not copied into another buffer as long as them all.
  const name = decoder.pathInSchema.join('.');
  const textLength = isText(decoder) && decoder.codec !== 'UNCOMPRESSED' && memory.consecutivePages ? textPagesLength(buffer, byteLength, rows, name) : 0;
  const textPages = textLength > 0 ? memory.consecutivePages!(textLength) : undefined;
  while (read < rows) {
    if (reader.offset >= byteLength) throw new Error(`column ${name}: its chunk ends after ${read} of ${rows} rows`);
    const { header, at } = nextPage(reader, byteLength, name);
    let bytes = new Uint8Array(buffer, at, header.compressed_page_size);
    // A v2 page may be stored uncompressed in a compressed chunk: its values would be views of the
    // chunk, whose buffer is reused once the chunk is read (./parquet-memory.ts). They get their own.
    if (header.data_page_header_v2?.is_compressed === false && decoder.codec !== 'UNCOMPRESSED') bytes = bytes.slice();
    if (header.type === 'DICTIONARY_PAGE') {
      // A dictionary page's entries are PLAIN values.
      const page = decompressPage(bytes, Number(header.uncompressed_page_size), decoder.codec, pageCompressors('PLAIN', decoder, undefined, memory, textPages));
      const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      dictionary = pageValues(page, reader, 'PLAIN', decoder, undefined, header.dictionary_page_header!.num_values, memory);
    } else if (header.type === 'DATA_PAGE') {
      const dph = header.data_page_header!;
      const page = decompressPage(bytes, Number(header.uncompressed_page_size), decoder.codec, pageCompressors(dph.encoding, decoder, dictionary, memory, textPages));
      pages.push(readV1Page(page, dph, decoder, dictionary, maxDefinition, memory));
      read += dph.num_values;
    } else if (header.type === 'DATA_PAGE_V2') {
      const dph = header.data_page_header_v2!;
      pages.push(readV2Page(bytes, header, decoder, dictionary, maxDefinition, memory, pageCompressors(dph.encoding, decoder, dictionary, memory, textPages)));
      read += dph.num_values;
    } else {
      throw new Error(`parquet unsupported page type: ${header.type}`);
    }
  }
  const values = pages.length === 1 ? pages[0]! : joined(pages, read, memory);
  if (values.length <= rows) return values;
  return values instanceof TextCells || values instanceof NullableDoubles ? values.slice(rows) : values.slice(0, rows);
}

/**
 * How many bytes a text chunk's pages of text take once decompressed (its dictionary page, the
 * values of its PLAIN pages), from their headers up to the page that reaches `rows` values. Only
 * a size to ask room for: a header it cannot read ends the count, and reading the pages says
 * what is wrong with it.
 */
function textPagesLength(buffer: ArrayBuffer, byteLength: number, rows: number, name: string): number {
  const reader = { view: new DataView(buffer, 0, byteLength), offset: 0 };
  let length = 0;
  try {
    for (let read = 0; read < rows && reader.offset < byteLength; ) {
      const { header } = nextPage(reader, byteLength, name);
      const v1 = header.data_page_header;
      const v2 = header.data_page_header_v2;
      const text = header.type === 'DICTIONARY_PAGE' || v1?.encoding === 'PLAIN' ? header.uncompressed_page_size : v2?.encoding === 'PLAIN' && v2.is_compressed !== false ? v2ValuesLength(header) : 0;
      if (!Number.isSafeInteger(text) || text < 0) break;
      length += text;
      read += v1?.num_values ?? v2?.num_values ?? 0;
    }
  } catch {
    // Counted as far as the headers read.
  }
  // Text cells' offsets are 32-bit: more is no text bn reads in one buffer.
  return length > 0 && length < 2 ** 31 ? length : 0;
}

/**
 * The page header at the reader, and where its page starts; the reader moves past the page. A
 * page size that is none, below zero or not whole (the reader would not move on, and the chunk be
 * read for ever), or one past the chunk's end, is refused.
 */
function nextPage(reader: { view: DataView; offset: number }, byteLength: number, name: string): { header: PageHeader; at: number } {
  const header = parquetHeader(reader);
  const size = header.compressed_page_size;
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`column ${name}: a page header gives no valid page size`);
  if (reader.offset + size > byteLength) throw new Error(`column ${name}: a page goes past the end of its chunk`);
  const at = reader.offset;
  reader.offset += size;
  return { header, at };
}

/** The bytes of a v2 page's values once decompressed (the page's, less its levels, which are stored apart). */
function v2ValuesLength(header: PageHeader): number {
  const v2 = header.data_page_header_v2!;
  return header.uncompressed_page_size - v2.repetition_levels_byte_length - v2.definition_levels_byte_length;
}

/**
 * A v1 data page's values, null where missing. Its definition levels are read into bytes, and a
 * dictionary page's indices into an Int32Array: hyparquet reads both into plain arrays and
 * counts the levels in a loop of its own, which took 0.8 s of a 1M-row DuckDB file's 11 columns
 * (one level a value, every column OPTIONAL). Encodings other than PLAIN and the dictionary ones
 * (delta, byte stream split, booleans' RLE) are hyparquet's to read.
 */
function readV1Page(page: Uint8Array, header: DataPageHeader, decoder: ColumnDecoder, dictionary: ChunkValues | undefined, maxDefinition: number, memory: ChunkMemory): ChunkValues {
  const { encoding } = header;
  if (!readsHere(encoding, decoder, dictionary)) {
    const { definitionLevels, dataPage } = readDataPage(page, header, decoder);
    return withNulls(convertWithDictionary(dataPage, plainArray(dictionary), encoding, decoder), definitionLevels, maxDefinition, header.num_values, memory);
  }
  const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  const count = header.num_values;
  // v1 levels start with their byte length.
  const levels = maxDefinition > 0 ? definitionLevels(page, reader, count, maxDefinition, undefined, memory) : NONE_MISSING;
  const values = pageValues(page, reader, encoding, decoder, dictionary, levels.defined ?? count, memory);
  return withNulls(values, levels.levels, maxDefinition, count, memory);
}

/**
 * A v2 data page's values, null where missing, read as a v1 page is (see there). A v2 page keeps
 * its levels uncompressed before its values, each with its byte length in the header, and only
 * its values are compressed. The bench's file of hyparquet-writer is v2 throughout: its column of
 * repeated values, by dictionary, went through plain arrays of indices and numbers, about a
 * fifth of `bn stats`' decoding.
 */
function readV2Page(bytes: Uint8Array, header: PageHeader, decoder: ColumnDecoder, dictionary: ChunkValues | undefined, maxDefinition: number, memory: ChunkMemory, compressors: Compressors | undefined): ChunkValues {
  const dph = header.data_page_header_v2!;
  if (!readsHere(dph.encoding, decoder, dictionary)) {
    const { definitionLevels, dataPage } = readDataPageV2(bytes, header, decoder);
    return withNulls(convertWithDictionary(dataPage, plainArray(dictionary), dph.encoding, decoder), definitionLevels, maxDefinition, dph.num_values, memory);
  }
  const count = dph.num_values;
  const repetitionLength = dph.repetition_levels_byte_length;
  const definitionLength = dph.definition_levels_byte_length;
  const valuesAt = repetitionLength + definitionLength;
  const size = v2ValuesLength(header);
  if (repetitionLength < 0 || definitionLength < 0 || valuesAt > bytes.byteLength || size < 0) throw new Error('parquet page levels past the end of its page');
  let levels: DefinitionLevels = NONE_MISSING;
  if (maxDefinition > 0) {
    // A flat column has no repetition levels: the definition levels follow any there are.
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: repetitionLength };
    levels = definitionLevels(bytes, reader, count, maxDefinition, definitionLength, memory);
  }
  let page = bytes.subarray(valuesAt);
  // Compressed values of no bytes: none (a page of nulls may have no compressed bytes, which is not a valid stream).
  if (dph.is_compressed !== false) page = size > 0 ? decompressPage(page, size, decoder.codec, compressors) : page.subarray(0, 0);
  const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  const values = pageValues(page, reader, dph.encoding, decoder, dictionary, levels.defined ?? count, memory);
  return withNulls(values, levels.levels, maxDefinition, count, memory);
}

/** Whether this module reads a page of `encoding` itself (PLAIN, or by a dictionary it has read), not hyparquet. */
function readsHere(encoding: Encoding, decoder: ColumnDecoder, dictionary: ChunkValues | undefined): boolean {
  const byDictionary = (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') && decoder.type !== 'BOOLEAN';
  return encoding === 'PLAIN' || (byDictionary && dictionary !== undefined);
}

/** The bytes of one PLAIN value of a fixed-width type, or undefined (booleans, byte arrays). */
function plainWidth(decoder: ColumnDecoder): number | undefined {
  switch (decoder.type) {
    case 'INT32':
    case 'FLOAT':
      return 4;
    case 'INT64':
    case 'DOUBLE':
      return 8;
    case 'INT96':
      return 12;
    case 'FIXED_LEN_BYTE_ARRAY':
      return decoder.element.type_length;
    default:
      return undefined;
  }
}

/**
 * `count` PLAIN values of a fixed-width type at the reader, by hyparquet's readPlain, once they
 * are known to lie within the page: readPlain views the page's whole buffer, so a count past the
 * page would read what lies after it; checked here, the page may be a longer buffer reused from
 * group to group (./parquet-memory.ts: a buffer of the page's exact length is new memory each
 * time the page's length changes, and a `normalize` of the bench's text file held one row
 * group's numbers twice over).
 */
function readPlainValues(page: Uint8Array, reader: { view: DataView; offset: number }, decoder: ColumnDecoder, count: number): DecodedArray {
  const width = plainWidth(decoder);
  if (width === undefined) throw new Error(`parquet PLAIN ${decoder.type} values read as fixed-width`);
  if (reader.offset + count * width > page.byteLength) throw new Error(`parquet page of ${count} values goes past its end`);
  return convert(readPlain(reader, decoder.type, count, decoder.element.type_length), decoder);
}

/** Whether a page of `encoding` is read through views bounded by it: text, dictionary indices, and fixed-width PLAIN values (readPlainValues), all read here. */
function readsBounded(encoding: Encoding, decoder: ColumnDecoder, dictionary: ChunkValues | undefined): boolean {
  return readsHere(encoding, decoder, dictionary) && (isText(decoder) || encoding !== 'PLAIN' || plainWidth(decoder) !== undefined);
}

/**
 * The decompressors of a chunk's page of `encoding` (a dictionary page's entries are PLAIN): a
 * text chunk's PLAIN pages into its one room (`textPages`, see readFlatChunk), a page this module
 * reads through views bounded by it (readsBounded) into a buffer that may be longer, any other
 * into the decoder's own (exact pages).
 */
function pageCompressors(encoding: Encoding, decoder: ColumnDecoder, dictionary: ChunkValues | undefined, memory: ChunkMemory, textPages: Compressors | undefined): Compressors | undefined {
  if (encoding === 'PLAIN' && textPages) return textPages;
  return (readsBounded(encoding, decoder, dictionary) && memory.boundedPages) || decoder.compressors;
}

/** A page's definition levels: how many of its values are there, and the levels, as bytes, when some are not (undefined: all are). */
interface DefinitionLevels {
  defined?: number;
  levels?: Uint8Array;
}

/** A page of a column that is REQUIRED: every value there, no levels. */
const NONE_MISSING: DefinitionLevels = {};

/**
 * `count` definition levels at the reader; the reader moves past them. `byteLength` undefined: a
 * v1 page's, which start with it. They are counted first, without being written out (writers
 * mark every column OPTIONAL, so a page without a missing value, all levels at the maximum, is
 * the common case: counting its runs took ~20 ms less of an OPTIONAL copy of the bench table than writing
 * 10 million levels and counting them); only a page with a missing value has them as bytes.
 */
function definitionLevels(page: Uint8Array, reader: { view: DataView; offset: number }, count: number, maxDefinition: number, byteLength: number | undefined, memory: ChunkMemory): DefinitionLevels {
  if (byteLength === undefined) {
    byteLength = reader.view.getUint32(reader.offset, true);
    reader.offset += 4;
  }
  const end = reader.offset + byteLength;
  if (end > page.byteLength) throw new Error('parquet definition levels past the end of their page');
  const width = 32 - Math.clz32(maxDefinition);
  const defined = countHybrid(page, reader.offset, end, width, count, maxDefinition, GROUP);
  let levels: Uint8Array | undefined;
  if (defined < count) {
    levels = memory.scratch(count);
    readHybrid(page, reader.offset, end, width, levels);
  }
  reader.offset = end;
  return { defined, levels };
}

/** Room for a group of bit-packed values, for countHybrid. */
const GROUP = new Int32Array(8);

/** The `count` values of a page read here (see readsHere), from the reader's offset on. */
function pageValues(page: Uint8Array, reader: { view: DataView; offset: number }, encoding: Encoding, decoder: ColumnDecoder, dictionary: ChunkValues | undefined, count: number, memory: ChunkMemory): ChunkValues {
  if (encoding === 'PLAIN' && isText(decoder)) return readPlainText(page, reader, count, memory);
  if (encoding === 'PLAIN') return plainWidth(decoder) === undefined ? convert(readPlain(reader, decoder.type, count, decoder.element.type_length), decoder) : readPlainValues(page, reader, decoder, count);
  const width = reader.view.getUint8(reader.offset++);
  const indices = pageIndices(count);
  if (width > 0) readHybrid(page, reader.offset, page.byteLength, width, indices);
  else indices.fill(0); // a dictionary of one entry
  return lookUp(dictionary!, indices, memory);
}

/**
 * Room for a page's dictionary indices, which live only until its values are looked up: one array
 * (a thread's) for every page. A new one a page was fresh memory each time, whose first writes
 * cost more than the decoding: 1.4–2.7 ms a page of 100,000 indices against 0.5–0.7.
 */
function pageIndices(count: number): Int32Array {
  if (indexRoom.length < count) indexRoom = new Int32Array(count);
  return indexRoom.subarray(0, count);
}

let indexRoom = new Int32Array(0);

/** A column hyparquet decodes as UTF-8 text (its convert: a BYTE_ARRAY annotated UTF8 or STRING; bn reads others as bytes). */
function isText(decoder: ColumnDecoder): boolean {
  const { element } = decoder;
  return decoder.type === 'BYTE_ARRAY' && (element.converted_type === 'UTF8' || element.logical_type?.type === 'STRING');
}

/**
 * `count` PLAIN byte arrays (a 4-byte length, the bytes) at the reader, as text cells that view
 * the page (./text-cells.ts says why not strings; they decode as hyparquet decodes text).
 */
function readPlainText(page: Uint8Array, reader: { view: DataView; offset: number }, count: number, memory: TextRoom): TextCells {
  const { view } = reader;
  const starts = memory.int32s(count);
  const ends = memory.int32s(count);
  let at = reader.offset;
  for (let k = 0; k < count; k++) {
    const length = view.getUint32(at, true);
    const start = at + 4;
    const end = start + length;
    if (end > page.byteLength) throw new Error('parquet byte array past the end of its page');
    starts[k] = start;
    ends[k] = end;
    at = end;
  }
  reader.offset = at;
  return new TextCells(page, starts, ends);
}

/**
 * The dictionary's entries at `indices`, in an array of the dictionary's kind. Doubles, the common
 * case of a feature, have a loop of their own: one loop for every kind of array ran at 30 ns an
 * index on the bench's dictionary column, compiled for all of them.
 */
function lookUp(dictionary: ChunkValues, indices: Int32Array, memory: ChunkMemory): ChunkValues {
  if (dictionary instanceof Float64Array) return lookUpDoubles(dictionary, indices, memory.doubles(indices.length));
  if (dictionary instanceof TextCells) return lookUpText(dictionary, indices, memory);
  const entries = plainArray(dictionary);
  const n = indices.length;
  const typed = !Array.isArray(entries);
  const out = typed ? new (entries.constructor as new (n: number) => DecodedArray)(n) : new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k < 0 || k >= entries.length) throw outOfRange(k, entries);
    (out as unknown[])[i] = entries[k];
  }
  return out as DecodedArray;
}

function lookUpDoubles(dictionary: Float64Array, indices: Int32Array, out: Float64Array): Float64Array {
  const n = indices.length;
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k < 0 || k >= dictionary.length) throw outOfRange(k, dictionary);
    out[i] = dictionary[k]!;
  }
  return out;
}

/** Text cells that share the dictionary's bytes. */
function lookUpText(dictionary: TextCells, indices: Int32Array, memory: TextRoom): TextCells {
  const n = indices.length;
  const starts = memory.int32s(n);
  const ends = memory.int32s(n);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k < 0 || k >= dictionary.length) throw outOfRange(k, dictionary);
    starts[i] = dictionary.starts[k]!;
    ends[i] = dictionary.ends[k]!;
  }
  return new TextCells(dictionary.bytes, starts, ends);
}

function outOfRange(k: number, dictionary: { length: number }): Error {
  return new Error(`parquet dictionary index ${k} out of range (${dictionary.length} entries)`);
}

/** A page's `count` values: its decoded values as they are when none is missing, else with null where a definition level is below the column's. */
function withNulls(values: ChunkValues, definitionLevels: ArrayLike<number> | undefined, maxDefinition: number, count: number, memory: ChunkMemory): ChunkValues {
  // No null: as decoded (whatever the levels say, as hyparquet's readers have them or as read here).
  if (values.length === count) return values;
  if (definitionLevels?.length !== count) throw new Error(`a page of ${count} values decoded ${values.length}`);
  if (values instanceof TextCells) return values.spread(definitionLevels, maxDefinition, count, memory);
  if (values instanceof Float64Array) return NullableDoubles.spread(values, definitionLevels, maxDefinition, count, memory.doubles(count), memory.bytes(count));
  const defined = plainArray(values);
  const out = new Array<unknown>(count);
  let next = 0;
  for (let i = 0; i < count; i++) out[i] = definitionLevels[i] === maxDefinition ? defined[next++] : null;
  if (next !== values.length) throw new Error(`a page of ${values.length} values has ${next} defined`);
  return out as DecodedArray;
}

/** Pages' values as one: text cells when they all are, doubles with nulls when they all are doubles and some have nulls, a typed array when they all are of one kind, else a plain array. */
function joined(pages: ChunkValues[], length: number, memory: ChunkMemory): ChunkValues {
  if (pages.every((page) => page instanceof TextCells)) return TextCells.join(pages as TextCells[], memory);
  if (pages.some((page) => page instanceof NullableDoubles) && pages.every((page) => page instanceof NullableDoubles || page instanceof Float64Array)) {
    return NullableDoubles.join(pages as (Float64Array | NullableDoubles)[], memory.doubles(length));
  }
  const plain = pages.map(plainArray) as DecodedArray[];
  const kind = plain[0]!.constructor;
  if (kind !== Array && plain.every((page) => page.constructor === kind)) {
    type Settable = DecodedArray & { set(a: ArrayLike<unknown>, at: number): void };
    const out = (kind === Float64Array ? memory.doubles(length) : new (kind as new (n: number) => DecodedArray)(length)) as Settable;
    let at = 0;
    for (const page of plain) {
      out.set(page as ArrayLike<unknown>, at);
      at += page.length;
    }
    return out;
  }
  const out = new Array<unknown>(length);
  let at = 0;
  for (const page of plain) for (let k = 0; k < page.length; k++) out[at++] = page[k];
  return out as DecodedArray;
}

/**
 * The buffers a chunk's values view, when they are known (text cells, doubles with nulls, a typed
 * array): every other buffer its read handed out is dead once it is read. Undefined for a plain
 * array, whose values may be views of its pages (byte arrays, as hyparquet reads them).
 */
export function viewedBuffers(values: ChunkValues): ArrayBuffer[] | undefined {
  if (values instanceof TextCells) return [values.bytes.buffer as ArrayBuffer, values.starts.buffer as ArrayBuffer, values.ends.buffer as ArrayBuffer];
  if (values instanceof NullableDoubles) return [values.values.buffer as ArrayBuffer, values.valid.buffer as ArrayBuffer];
  if (ArrayBuffer.isView(values)) return [values.buffer as ArrayBuffer];
  return undefined;
}

/** Values as hyparquet's own readers hand them: text cells as strings, doubles with nulls as numbers and nulls. */
function plainArray<T extends ChunkValues | undefined>(values: T): Exclude<T, TextCells | NullableDoubles> {
  return (values instanceof TextCells || values instanceof NullableDoubles ? values.toArray() : values) as Exclude<T, TextCells | NullableDoubles>;
}
