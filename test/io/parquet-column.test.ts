/**
 * src/io/parquet-column.ts against hyparquet's own column reader (parquetRead, which bn used
 * before for every column): every column chunk of files written by three other writers decodes
 * to the same values, null for null. DuckDB writes v1 data pages, OPTIONAL columns, dictionary
 * pages and several pages a chunk; hyparquet-writer v2 pages; Polars its own choices.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkRange, flatColumnDecoders, RAW_PARSERS, readFlatChunk, type ChunkMemory } from '../../src/io/parquet-column.js';
import { NullableDoubles } from '../../src/io/nullable-doubles.js';
import { consecutivePageDecompressors } from '../../src/io/parquet-codecs.js';
import { snappyUncompress } from '../../src/io/snappy.js';
import { TextCells } from '../../src/io/text-cells.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-parquet-column-'));
const at = (name: string) => path.join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  // 150,000 rows: two row groups of DuckDB's 122,880 rows, several pages a chunk.
  await duck.run(`COPY (
    SELECT
      i::BIGINT AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3 END::DOUBLE AS sparse,
      (i * 0.25)::FLOAT AS f32,
      (i % 100)::TINYINT AS i8,
      (i % 30000)::SMALLINT AS i16,
      (i * 3)::UINTEGER AS u32,
      (i * 1.25)::DECIMAL(12,2) AS dec,
      (170141183460469231731687303715884105 + i)::DECIMAL(38,0) AS big,
      ['red', 'green', NULL, 'blue'][i % 4 + 1] AS color,
      md5(i::VARCHAR) AS hash,
      (i % 3 = 0) AS flag,
      DATE '2024-01-01' + (i % 1000)::INTEGER AS day,
      CASE WHEN i % 2 = 0 THEN 'NaN'::DOUBLE ELSE i END AS nan,
      CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN 'NaN'::DOUBLE ELSE i END::DOUBLE AS nan_or_null,
      CASE i % 5 WHEN 0 THEN 'héllo ' || i::VARCHAR WHEN 1 THEN chr(65279) || 'bom ' || i::VARCHAR WHEN 2 THEN NULL WHEN 3 THEN '' ELSE 'plain ' || i::VARCHAR END AS intl
    FROM range(0, 150000) t(i)) TO '${at('duck.parquet')}' (FORMAT parquet)`);
  await duck.run(`COPY (SELECT NULL::DOUBLE AS none, i AS n FROM range(0, 1000) t(i)) TO '${at('duck-nulls.parquet')}' (FORMAT parquet)`);
  duck.closeSync();

  const n = 20_000;
  const writer = new ParquetWriter({
    writer: fileWriter(at('hyparquet.parquet')),
    schema: [
      { name: 'root', num_children: 10 },
      { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'y', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      // Few distinct values: written by dictionary, with nulls and without.
      { name: 'd', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'r', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'k', type: 'INT32', repetition_type: 'OPTIONAL' },
      // No value in the second row group: pages of nulls only.
      { name: 'gone', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      // Nulls in a few pages only: pages with and without nulls in one chunk.
      { name: 'patchy', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      // One value, and one text: dictionaries of one entry (indices of bit width 0), read after
      // pages of wider ones.
      { name: 'one', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'same', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
  });
  writer.write({
    columnData: [
      { name: 'x', data: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i / 7)) },
      { name: 'y', data: Float64Array.from({ length: n }, (_, i) => Math.sin(i)) },
      { name: 's', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `s${i % 50}`)) },
      { name: 'd', data: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : (i % 20) * 0.5)) },
      { name: 'r', data: Float64Array.from({ length: n }, (_, i) => i % 13) },
      { name: 'k', data: Array.from({ length: n }, (_, i) => (i % 6 === 0 ? null : i % 9)) },
      { name: 'gone', data: Array.from({ length: n }, (_, i) => (i >= 8_000 && i < 16_000 ? null : i)) },
      { name: 'patchy', data: Array.from({ length: n }, (_, i) => (i % 8_000 >= 3_000 && i % 8_000 < 3_050 ? null : Math.cos(i))) },
      { name: 'one', data: new Float64Array(n).fill(42.5) },
      { name: 'same', data: Array.from({ length: n }, () => 'same') },
    ],
    rowGroupSize: 8_000,
    pageSize: 4096, // many pages a chunk
  });
  writer.finish();

  // A codec per chunk: one row group compressed, the next not.
  const mixed = new ParquetWriter({
    writer: fileWriter(at('mixed-codecs.parquet')),
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
  });
  for (const codec of ['SNAPPY', 'UNCOMPRESSED', 'SNAPPY'] as const) {
    mixed.write({
      columnData: [
        { name: 'x', data: Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? null : i / 7)), codec },
        { name: 's', data: Array.from({ length: 1000 }, (_, i) => `s${i % 50}`), codec },
      ],
      rowGroupSize: 1000,
    });
  }
  mixed.finish();

  pl.DataFrame([
    pl.Series('a', Array.from({ length: 50_000 }, (_, i) => (i % 9 === 0 ? null : i * 0.5)), pl.Float64),
    pl.Series('b', Array.from({ length: 50_000 }, (_, i) => i), pl.Int32),
    pl.Series('c', Array.from({ length: 50_000 }, (_, i) => (i % 4 === 0 ? null : `text ${i % 17}`)), pl.Utf8),
  ]).writeParquet(at('polars.parquet'), { compression: 'snappy' });
});

/** Column j of row group g as hyparquet's own reader decodes it (utf8 off, dates and timestamps as integers: as bn reads). */
async function reference(file: ArrayBuffer, metadata: ReturnType<typeof parquetMetadata>, g: number, name: string): Promise<unknown[]> {
  let start = 0;
  for (let k = 0; k < g; k++) start += Number(metadata.row_groups[k]!.num_rows);
  const rows = Number(metadata.row_groups[g]!.num_rows);
  const out: unknown[] = [];
  await parquetRead({
    file,
    metadata,
    rowStart: start,
    rowEnd: start + rows,
    columns: [name],
    utf8: false,
    parsers: RAW_PARSERS,
    onChunk: ({ columnData, rowStart }) => {
      for (let k = 0; k < columnData.length; k++) if (rowStart + k >= start && rowStart + k < start + rows) out[rowStart + k - start] = columnData[k];
    },
  });
  return out;
}

/** New memory for readFlatChunk, a text chunk's consecutive pages in the room `room(byteLength)` makes (past it, new arrays). */
function withRooms(room: (byteLength: number) => Uint8Array): ChunkMemory {
  return {
    doubles: (n) => new Float64Array(n),
    scratch: (n) => new Uint8Array(n),
    int32s: (n) => new Int32Array(n),
    bytes: (n) => new Uint8Array(n),
    consecutivePages: (byteLength) => consecutivePageDecompressors(room(byteLength), (n) => new Uint8Array(n)),
  };
}

describe('readFlatChunk: the values of hyparquet’s column reader', () => {
  it.each(['duck.parquet', 'duck-nulls.parquet', 'hyparquet.parquet', 'mixed-codecs.parquet', 'polars.parquet'])('%s: every column chunk of every row group', async (name) => {
    const bytes = readFileSync(at(name));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const metadata = parquetMetadata(file);
    const columns = metadata.schema.slice(1).map((e) => e.name);
    let chunks = 0;
    let textChunks = 0;
    let nullableChunks = 0;
    for (let g = 0; g < metadata.row_groups.length; g++) {
      const rows = Number(metadata.row_groups[g]!.num_rows);
      for (let j = 0; j < columns.length; j++) {
        const decoder = flatColumnDecoders(metadata, columns.length, {})[j];
        expect(decoder, columns[j]).toBeDefined();
        const range = chunkRange(metadata.row_groups[g]!, j)!;
        const chunk = readFlatChunk(file.slice(range.start, range.end), range.end - range.start, { ...decoder!, codec: range.codec }, rows);
        expect(chunk.length).toBe(rows);
        // Text cells (a text column read by bn) as the strings they decode to, doubles with nulls as numbers and nulls.
        const values = chunk instanceof TextCells || chunk instanceof NullableDoubles ? chunk.toArray() : Array.from(chunk as ArrayLike<unknown>);
        if (chunk instanceof TextCells) textChunks++;
        if (chunk instanceof NullableDoubles) nullableChunks++;
        // Pages with and without nulls put together: still doubles with a mask, not a plain array.
        if (columns[j] === 'patchy') expect(chunk, `${name} group ${g}`).toBeInstanceOf(NullableDoubles);
        expect(values, `${name} group ${g} column ${columns[j]}`).toEqual(await reference(file, metadata, g, columns[j]!));
        chunks++;
      }
    }
    expect(chunks).toBeGreaterThan(columns.length - 1);
    // Every file but the one of numbers only has a text column, read as text cells.
    expect(textChunks > 0, 'text cells').toBe(name !== 'duck-nulls.parquet');
    // Every file has a column of doubles with nulls, but duck-nulls (its only one is all null, a page of no values).
    expect(nullableChunks > 0, 'doubles with nulls').toBe(name !== 'duck-nulls.parquet');
  });

  it('text pages decompressed one after the other into one room are joined where they lie; past the room, each into its own, the same cells', () => {
    let joinedInRoom = 0;
    for (const name of ['duck.parquet', 'hyparquet.parquet', 'polars.parquet']) {
      const bytes = readFileSync(at(name));
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const metadata = parquetMetadata(file);
      const columns = metadata.schema.slice(1).map((e) => e.name);
      for (let g = 0; g < metadata.row_groups.length; g++) {
        const rows = Number(metadata.row_groups[g]!.num_rows);
        for (let j = 0; j < columns.length; j++) {
          const range = chunkRange(metadata.row_groups[g]!, j)!;
          if (range.codec === 'UNCOMPRESSED') continue;
          const decoder = { ...flatColumnDecoders(metadata, columns.length, {})[j]!, codec: range.codec };
          const chunk = file.slice(range.start, range.end);
          const plain = readFlatChunk(chunk, chunk.byteLength, decoder, rows);
          if (!(plain instanceof TextCells)) continue;
          for (const scale of [1, 0.5, 0]) {
            const rooms: Uint8Array[] = [];
            const memory = withRooms((byteLength) => {
              const room = new Uint8Array(Math.floor(byteLength * scale));
              rooms.push(room);
              return room;
            });
            const cells = readFlatChunk(chunk, chunk.byteLength, decoder, rows, memory) as TextCells;
            expect(cells.toArray(), `${name} group ${g} column ${columns[j]} room ×${scale}`).toEqual(plain.toArray());
            expect(rooms).toHaveLength(1);
            if (scale === 1) {
              expect(cells.bytes.buffer, `${name} column ${columns[j]}: the room's bytes`).toBe(rooms[0]!.buffer);
              joinedInRoom++;
            }
          }
        }
      }
    }
    expect(joinedInRoom).toBeGreaterThan(3);
  });

  it('the files hold what the comparison above must cover: v1 and v2 data pages, plain and by dictionary, dictionary pages, chunks of several pages', () => {
    const kinds = new Set<string>();
    let mostPages = 0;
    for (const name of ['duck.parquet', 'hyparquet.parquet']) {
      const bytes = readFileSync(at(name));
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const metadata = parquetMetadata(file);
      metadata.row_groups[0]!.columns.forEach((_, j) => {
        const range = chunkRange(metadata.row_groups[0]!, j)!;
        const reader = { view: new DataView(file, range.start, range.end - range.start), offset: 0 };
        let pages = 0;
        while (reader.offset < range.end - range.start) {
          const header = parquetHeader(reader);
          kinds.add(header.type);
          const encoding = header.data_page_header?.encoding ?? header.data_page_header_v2?.encoding;
          if (encoding) kinds.add(`${header.type} ${encoding}`);
          if (encoding) kinds.add(`${header.type} ${encoding} ${metadata.row_groups[0]!.columns[j]!.meta_data!.type}`);
          if (header.type !== 'DICTIONARY_PAGE') pages++;
          reader.offset += header.compressed_page_size;
        }
        mostPages = Math.max(mostPages, pages);
      });
    }
    for (const kind of ['DATA_PAGE', 'DATA_PAGE_V2', 'DICTIONARY_PAGE', 'DATA_PAGE PLAIN', 'DATA_PAGE PLAIN BYTE_ARRAY', 'DATA_PAGE PLAIN_DICTIONARY', 'DATA_PAGE_V2 PLAIN', 'DATA_PAGE_V2 RLE_DICTIONARY', 'DATA_PAGE_V2 RLE_DICTIONARY DOUBLE', 'DATA_PAGE_V2 RLE_DICTIONARY INT32']) {
      expect(kinds.has(kind), `${kind} in ${[...kinds].join(', ')}`).toBe(true);
    }
    expect(mostPages).toBeGreaterThan(10);
  });

  /** A chunk of one v2 page of `values` (REQUIRED doubles, PLAIN), stored as they are whatever the chunk's codec, with `header`'s fields over the page's own. */
  function v2Chunk(values: number[], header: Record<string, unknown> = {}): ArrayBuffer {
    const data = new Uint8Array(Float64Array.from(values).buffer);
    const v2 = { num_values: values.length, num_nulls: 0, num_rows: values.length, encoding: 'PLAIN', definition_levels_byte_length: 0, repetition_levels_byte_length: 0, is_compressed: false };
    // A header a multiple of 8 bytes long (a CRC of the right length): the values are then aligned,
    // and a reader may view them in place rather than copy them.
    for (let crc = 0; ; crc = crc * 128 + 1) {
      const writer = new ByteWriter();
      writePageHeader(writer, { type: 'DATA_PAGE_V2', uncompressed_page_size: data.length, compressed_page_size: data.length, crc, ...header, data_page_header_v2: { ...v2, ...(header.data_page_header_v2 as object) } } as never);
      if (writer.offset % 8 !== 0) continue;
      writer.appendBytes(data);
      return writer.getBytes().slice().buffer;
    }
  }
  const requiredDoubles = () => {
    const schema = [{ name: 'root', num_children: 1 }, { name: 'x', type: 'DOUBLE', repetition_type: 'REQUIRED' }] as const;
    const metadata = { schema, row_groups: [{ columns: [{ meta_data: { path_in_schema: ['x'], type: 'DOUBLE', codec: 'SNAPPY' } }] }] };
    return flatColumnDecoders(metadata as never, 1, {})[0]!;
  };

  it('text pages sized from corrupt headers: a page size below zero (back to its own header), none, or past the chunk ends the count at once, and the chunk is refused', () => {
    const schema = [{ name: 'root', num_children: 1 }, { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }] as const;
    const metadata = { schema, row_groups: [{ columns: [{ meta_data: { path_in_schema: ['s'], type: 'BYTE_ARRAY', codec: 'SNAPPY' } }] }] };
    const decoder = flatColumnDecoders(metadata as never, 1, {})[0]!;
    /** A dictionary page header whose compressed size is `size(its own length)`, and 64 bytes after it. */
    const chunkOf = (size: (headerLength: number) => number) => {
      for (let length = 1; ; length++) {
        const writer = new ByteWriter();
        writePageHeader(writer, { type: 'DICTIONARY_PAGE', uncompressed_page_size: 10, compressed_page_size: size(length), dictionary_page_header: { num_values: 1, encoding: 'PLAIN' } } as never);
        if (writer.offset !== length) continue;
        writer.appendBytes(new Uint8Array(64));
        return writer.getBytes().slice().buffer;
      }
    };
    const asked: number[] = [];
    const memory = withRooms((byteLength) => {
      asked.push(byteLength);
      return new Uint8Array(byteLength);
    });
    for (const size of [(length: number) => -length, () => -1, () => 1_000_000, () => undefined as unknown as number]) {
      const chunk = chunkOf(size);
      // With the text pages' room (its count of their sizes first) and without: refused, not read for ever.
      expect(() => readFlatChunk(chunk, chunk.byteLength, decoder, 3, memory)).toThrow(/no valid page size|past the end of its chunk/);
      expect(() => readFlatChunk(chunk, chunk.byteLength, decoder, 3)).toThrow(/no valid page size|past the end of its chunk/);
    }
    // None of them asked for room: the count stopped at the first header.
    expect(asked).toEqual([]);
  });

  it('a v2 page stored uncompressed in a compressed chunk: its values are its own, not views of the chunk (whose buffer is reused)', () => {
    const chunk = v2Chunk([1.5, -2, 3e300]);
    const values = readFlatChunk(chunk, chunk.byteLength, requiredDoubles(), 3);
    new Uint8Array(chunk).fill(0xff);
    expect(Array.from(values as Float64Array)).toEqual([1.5, -2, 3e300]);
  });

  it('a v2 page whose levels or sizes do not add up is refused', () => {
    const decoder = requiredDoubles();
    for (const header of [
      { uncompressed_page_size: 8 * 3 - 30, data_page_header_v2: { definition_levels_byte_length: 0, repetition_levels_byte_length: 0 } },
      { data_page_header_v2: { definition_levels_byte_length: -4 } },
      { data_page_header_v2: { repetition_levels_byte_length: 1000 } },
    ]) {
      const chunk = v2Chunk([1, 2, 3], header);
      expect(() => readFlatChunk(chunk, chunk.byteLength, decoder, 3), JSON.stringify(header)).toThrow(/levels past the end of its page/);
    }
  });

  it('a PLAIN page that says it holds more values than its bytes is refused, though its buffer is a longer one reused (with other values past the page)', () => {
    const data = new Uint8Array(Float64Array.from([1.5, -2, 3e300]).buffer);
    const compressed = snappyCompress(data);
    /** The three values in a Snappy page that says it holds `count`. */
    const chunkOf = (count: number) => {
      const writer = new ByteWriter();
      const v2 = { num_values: count, num_nulls: 0, num_rows: count, encoding: 'PLAIN', definition_levels_byte_length: 0, repetition_levels_byte_length: 0, is_compressed: true };
      writePageHeader(writer, { type: 'DATA_PAGE_V2', uncompressed_page_size: data.length, compressed_page_size: compressed.length, data_page_header_v2: v2 } as never);
      writer.appendBytes(compressed);
      return writer.getBytes().slice().buffer;
    };
    // Pages in buffers 64 bytes longer than they are, the rest holding 2.0s (as an earlier group's page would).
    const longer = (size: number) => {
      const buffer = new ArrayBuffer(size + 64);
      new Float64Array(buffer).fill(2);
      return new Uint8Array(buffer, 0, size);
    };
    const decompress = { SNAPPY: (input: Uint8Array, size: number) => {
      const page = longer(size);
      snappyUncompress(input, page);
      return page;
    } };
    const memory = { doubles: (n: number) => new Float64Array(n), scratch: (n: number) => new Uint8Array(n), int32s: (n: number) => new Int32Array(n), bytes: (n: number) => new Uint8Array(n), boundedPages: decompress };
    const schema = [{ name: 'root', num_children: 1 }, { name: 'x', type: 'DOUBLE', repetition_type: 'REQUIRED' }] as const;
    const metadata = { schema, row_groups: [{ columns: [{ meta_data: { path_in_schema: ['x'], type: 'DOUBLE', codec: 'SNAPPY' } }] }] };
    const decoder = flatColumnDecoders(metadata as never, 1, decompress)[0]!;
    const four = chunkOf(4);
    expect(() => readFlatChunk(four, four.byteLength, decoder, 4, memory)).toThrow(/page of 4 values goes past its end/);
    const three = chunkOf(3);
    expect(Array.from(readFlatChunk(three, three.byteLength, decoder, 3, memory) as Float64Array)).toEqual([1.5, -2, 3e300]);
  });

  describe('pages in longer buffers', () => {
    /** A chunk of pages, each Snappy-compressed: its header's fields over the sizes of its payload. */
    const chunkOfPages = (pages: { header: Record<string, unknown>; payload: Uint8Array }[]) => {
      const writer = new ByteWriter();
      for (const { header, payload } of pages) {
        const compressed = snappyCompress(payload);
        writePageHeader(writer, { uncompressed_page_size: payload.length, compressed_page_size: compressed.length, ...header } as never);
        writer.appendBytes(compressed);
      }
      return writer.getBytes().slice().buffer;
    };
    /** A column decoder and memory whose decompressors say which kind of page each got: exact (the decoder's) or bounded (maybe longer). */
    const setUp = (element: Record<string, unknown>) => {
      const got: string[] = [];
      const into = (kind: string) => ({ SNAPPY: (input: Uint8Array, size: number) => {
        got.push(kind);
        const buffer = new ArrayBuffer(kind === 'bounded' ? size + 64 : size);
        new Float64Array(buffer.slice(0, buffer.byteLength - (buffer.byteLength % 8))).fill(2);
        const page = new Uint8Array(buffer, 0, size);
        snappyUncompress(input, page);
        return page;
      } });
      const schema = [{ name: 'root', num_children: 1 }, { name: 'x', ...element }];
      const metadata = { schema, row_groups: [{ columns: [{ meta_data: { path_in_schema: ['x'], type: element.type, codec: 'SNAPPY' } }] }] };
      const decoder = flatColumnDecoders(metadata as never, 1, into('exact'))[0]!;
      const memory = { doubles: (n: number) => new Float64Array(n), scratch: (n: number) => new Uint8Array(n), int32s: (n: number) => new Int32Array(n), bytes: (n: number) => new Uint8Array(n), boundedPages: into('bounded') };
      return { decoder, memory, got };
    };
    const three = new Uint8Array(Float64Array.from([1.5, -2, 3e300]).buffer);

    it('a dictionary of more entries than its bytes hold is refused', () => {
      const { decoder, memory, got } = setUp({ type: 'DOUBLE', repetition_type: 'REQUIRED' });
      const chunk = chunkOfPages([
        { header: { type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: 4, encoding: 'PLAIN' } }, payload: three },
        { header: { type: 'DATA_PAGE', data_page_header: { num_values: 1, encoding: 'RLE_DICTIONARY', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' } }, payload: Uint8Array.from([2, 2, 0]) },
      ]);
      expect(() => readFlatChunk(chunk, chunk.byteLength, decoder, 1, memory)).toThrow(/page of 4 values goes past its end/);
      expect(got[0]).toBe('bounded');
    });

    it('a v1 page whose levels say more values than follow them is refused (the count from after the levels)', () => {
      const { decoder, memory, got } = setUp({ type: 'DOUBLE', repetition_type: 'OPTIONAL' });
      // Levels: their byte length, then one run of 4 ones (header 4 << 1, value 1); then three doubles.
      const payload = (values: Uint8Array) => Uint8Array.from([2, 0, 0, 0, 8, 1, ...values]);
      const header = { type: 'DATA_PAGE', data_page_header: { num_values: 4, encoding: 'PLAIN', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' } };
      // Two bytes more than three values: 32 bytes of page, 26 of them after the levels.
      const short = chunkOfPages([{ header, payload: payload(Uint8Array.from([...three, 0, 0])) }]);
      expect(() => readFlatChunk(short, short.byteLength, decoder, 4, memory)).toThrow(/page of 4 values goes past its end/);
      expect(got).toEqual(['bounded']);
      const four = chunkOfPages([{ header, payload: payload(new Uint8Array(Float64Array.from([1.5, -2, 3e300, 7]).buffer)) }]);
      expect(Array.from(readFlatChunk(four, four.byteLength, decoder, 4, memory) as Float64Array)).toEqual([1.5, -2, 3e300, 7]);
    });

    it.each([
      ['BOOLEAN', { type: 'BOOLEAN', repetition_type: 'REQUIRED' }, Uint8Array.from([0b101])],
      ['BYTE_ARRAY without a text annotation', { type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' }, Uint8Array.from([1, 0, 0, 0, 65, 1, 0, 0, 0, 66, 1, 0, 0, 0, 67])],
    ])('%s PLAIN values, which hyparquet reads through the whole buffer: an exact page', (_name, element, payload) => {
      const { decoder, memory, got } = setUp(element);
      const chunk = chunkOfPages([{ header: { type: 'DATA_PAGE', data_page_header: { num_values: 3, encoding: 'PLAIN', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' } }, payload }]);
      expect(readFlatChunk(chunk, chunk.byteLength, decoder, 3, memory)).toHaveLength(3);
      expect(got).toEqual(['exact']);
    });
  });

  it('a chunk cut short, or a page past its chunk, is refused, not read as fewer rows', () => {
    const bytes = readFileSync(at('hyparquet.parquet'));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const metadata = parquetMetadata(file);
    const decoder = flatColumnDecoders(metadata, 2, {})[1]!;
    const range = chunkRange(metadata.row_groups[0]!, 1)!;
    const rows = Number(metadata.row_groups[0]!.num_rows);
    const chunk = file.slice(range.start, range.end);
    expect(() => readFlatChunk(chunk, chunk.byteLength, decoder, rows + 1)).toThrow(/ends after 8000 of 8001 rows/);
    expect(() => readFlatChunk(chunk, chunk.byteLength - 10, decoder, rows)).toThrow(/past the end of its chunk/);
  });
});
