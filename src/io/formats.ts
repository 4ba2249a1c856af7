/**
 * The formats bn reads and writes (SPEC §2, §4): a registry of entries, and what asks it —
 * which format an input is (by --from, extension or first byte) and its reader and writer.
 */
import { Readable } from 'node:stream';
import { BnError, quoteText } from '../errors.js';
import { compressionFromBytes, compressionFromPath, decompressed, MAGIC_BYTES, type Compression } from './compression.js';
import { atLeast, peek } from './peek.js';
import type { OutputWriter } from './output-writer.js';
import type { Format, TableSource } from './table.js';
import type { TableSink } from './table-sink.js';
import type { ColumnarSource } from './columnar.js';
import type { BinaryInput } from './seekable-input.js';

/** A typed, columnar format's reader of blocks (../pipeline/columnar-input.ts reads it). */
export type ColumnarOpener = (input: BinaryInput, label: string) => Promise<ColumnarSource & { close?(): void | Promise<void> }>;

export interface SinkOptions {
  /** CSV/TSV field delimiter; undefined: the format's own (comma, tab). */
  delimiter?: string;
  /** How a normalized number is written (shortest round-trip form, or --precision digits). */
  formatNumber: (x: number) => string;
  /** The same for a typed output that stores the number (Parquet, Arrow): numberRounder; default: the number itself. */
  roundNumber?: (x: number) => number;
  /** CSV/TSV: write the header row (default); false for every shard of a split job but the first. */
  header?: boolean;
  /** The output file (-o), when not standard output: its extension may choose a container (.arrows). */
  path?: string;
}

export interface ReadOptions {
  format: Format;
  /** Undefined: the format's own (comma for CSV, tab for TSV). */
  delimiter?: string;
  header: boolean;
  label: string;
  /** CSV/TSV: text after a closing quote is taken as text (see ./csv-rows.ts). */
  lazyQuotes?: boolean;
  /** NDJSON: flat objects may be read from their bytes (off: JSON.parse reads every line, the reference for tests). */
  fast?: boolean;
  /** CSV, NDJSON: hand each input chunk's rows on at once, however few (a live stream, --line-buffered); else in chunks of 512. */
  eager?: boolean;
}

export interface FormatNotes {
  /** What the table calls it. */
  title: string;
  parallel: string;
  streaming: string;
  library: string;
}

/**
 * One entry a format: its names, how it is recognised, whether it is text (UTF-8, checked as it
 * is read) and its row reader and writer. A delimiter-separated format (`delimiter`) is also
 * read by the byte scanner, by byte ranges in worker threads (../pipeline/read-input.ts).
 * Adding a format is an entry here, its reader and writer, and its name in `Format` (./table.ts).
 */
export interface FormatEntry {
  name: Format;
  /** Other names `--from` and `--to` take (jsonl). */
  aliases: readonly string[];
  /** File extensions, lower case, with the dot. */
  extensions: readonly string[];
  /** The first non-blank byte that says this format on standard input; none: the fallback (CSV). */
  firstByte?: number;
  /** Text (UTF-8): checked as it is read. A binary format is not. */
  text: boolean;
  /** The field delimiter of a delimiter-separated format (the byte scanner reads it). */
  delimiter?: string;
  /** Whether the input's first bytes (decompressed) are this binary format's magic bytes (on standard input). */
  magic?: (head: Uint8Array) => boolean;
  /** A typed, columnar format: read in blocks of columns, not rows. */
  columnar?: () => Promise<ColumnarOpener>;
  /** Its row of the README's format table (./format-table.ts): what reads it in parallel, how it streams, with what. */
  notes: FormatNotes;
  /**
   * The row reader and writer, loaded when first asked for: this table is read at start-up
   * (bin/bn guesses from it whether to start worker threads), and a format not used costs nothing.
   */
  reader(): Promise<(input: Readable, options: ReadOptions) => TableSource>;
  write(out: OutputWriter, options: SinkOptions): Promise<TableSink>;
}

const CSV_NOTES = {
  parallel: 'yes, quoted fields included: a regular file by byte ranges, standard input (or another stream) by blocks, parsed in worker threads',
  streaming: 'yes (memory does not grow with the file)',
  library: "bn's byte scanner; csv-parse for a delimiter beyond ASCII; csv-stringify",
};

const csvEntry = (name: 'csv' | 'tsv', delimiter: string, extensions: string[]): FormatEntry => ({
  name,
  aliases: [],
  extensions,
  text: true,
  delimiter,
  notes: { title: name.toUpperCase(), ...CSV_NOTES },
  reader: async () => {
    const { csvSource } = await import('./csv-reader.js');
    return (input, options) => csvSource(input, { delimiter: options.delimiter ?? delimiter, header: options.header, label: options.label, format: name, lazyQuotes: options.lazyQuotes }, options.eager);
  },
  write: async (out, options) => (await import('./csv-writer.js')).csvSink(out, { delimiter: options.delimiter ?? delimiter, formatNumber: options.formatNumber, header: options.header }),
});

export const FORMATS: readonly FormatEntry[] = [
  csvEntry('csv', ',', ['.csv']),
  csvEntry('tsv', '\t', ['.tsv', '.tab']),
  {
    name: 'json',
    aliases: [],
    extensions: ['.json'],
    firstByte: 0x5b, // [
    text: true,
    notes: { title: 'JSON', parallel: 'no', streaming: 'yes: a 1 GB array needs no 1 GB of memory', library: '@streamparser/json' },
    reader: async () => {
      const { jsonSource } = await import('./json-reader.js');
      return (input, options) => jsonSource(input, options.label);
    },
    write: async (out, options) => (await import('./json-writer.js')).jsonSink(out, { lines: false, formatNumber: options.formatNumber }),
  },
  {
    name: 'ndjson',
    aliases: ['jsonl'],
    extensions: ['.ndjson', '.jsonl'],
    firstByte: 0x7b, // {
    text: true,
    notes: {
      title: 'NDJSON',
      parallel: 'a regular file by byte ranges in a statistics pass (`bn stats`, the first pass of a whole-input `normalize`), its lines read in worker threads; rows written, standard input and a compressed file by one thread',
      streaming: 'yes',
      library: "bn's line reader: a flat object with the known keys read from its bytes, any other line through `JSON.parse`",
    },
    reader: async () => {
      const { ndjsonSource } = await import('./ndjson-reader.js');
      return (input, options) => ndjsonSource(input, options.label, options.fast, options.eager);
    },
    write: async (out, options) => (await import('./json-writer.js')).jsonSink(out, { lines: true, formatNumber: options.formatNumber }),
  },
  {
    name: 'parquet',
    aliases: [],
    extensions: ['.parquet'],
    magic: (head) => startsWith(head, PARQUET_MAGIC),
    text: false,
    notes: {
      title: 'Parquet',
      parallel: 'with `-j N` (not by default: on 2 cores it measured slower): a regular file, by row groups in worker threads (`bn stats`, a pass without `-b`)',
      streaming: 'a row group at a time, into buffers reused from group to group (a statistics pass decodes only the columns that can be features: numeric, or named by `--select`); standard input (or a compressed file) is spooled to a temporary file first, since Parquet keeps its metadata at its end',
      library: "hyparquet (metadata, rare encodings), hyparquet-writer; Snappy, PLAIN and dictionary pages decoded by bn; pages compressed with ZSTD, GZIP or BROTLI by `node:zlib` (ZSTD by fzstd before Node 22.15), LZ4 by bn (every codec but LZO)",
    },
    columnar: async () => (await import('./parquet-reader.js')).openParquetInput,
    reader: columnarReader('parquet'),
    write: async (out, options) => (await import('./parquet-writer.js')).parquetSink(out, options),
  },
  {
    name: 'arrow',
    aliases: ['feather'],
    extensions: ['.arrow', '.feather', '.arrows'],
    // The file format (ARROW1), or the stream format's first message (its 0xFFFFFFFF continuation marker).
    magic: (head) => isArrowFile(head) || startsWith(head, ARROW_STREAM_MAGIC),
    text: false,
    notes: {
      title: 'Arrow IPC (file: `.arrow`, `.feather`; stream: `.arrows`)',
      parallel: 'no',
      streaming: 'a record batch at a time; the stream format read from standard input as it comes, the file format spooled first (its footer says where the batches are)',
      library: 'apache-arrow; compressed batches (LZ4 frames, ZSTD) by bn and `node:zlib` (fzstd before Node 22.15)',
    },
    columnar: async () => (await import('./arrow-reader.js')).openArrowInput,
    reader: columnarReader('arrow'),
    // The stream format to standard output and .arrows (a reader may start before the end), the file format to a file.
    write: async (out, options) =>
      (await import('./arrow-writer.js')).arrowSink(out, { roundNumber: options.roundNumber, container: options.path === undefined || /\.arrows(\.[a-z]+)?$/i.test(options.path) ? 'stream' : 'file' }),
  },
];

const PARQUET_MAGIC = Buffer.from('PAR1');
const ARROW_FILE_MAGIC = Buffer.from('ARROW1');
const ARROW_STREAM_MAGIC = Buffer.from([0xff, 0xff, 0xff, 0xff]);
/** Bytes the magic tests need. */
const BINARY_MAGIC_BYTES = 6;

/** The Arrow IPC file format (not the stream format), by its first bytes. */
export const isArrowFile = (head: Uint8Array) => startsWith(head, ARROW_FILE_MAGIC);

function startsWith(head: Uint8Array, magic: Uint8Array): boolean {
  return head.length >= magic.length && magic.every((byte, k) => head[k] === byte);
}

/** A columnar format's row reader (TableSource): its blocks as rows, for callers that want rows. */
function columnarReader(format: Format): FormatEntry['reader'] {
  return async () => {
    const { columnarRows } = await import('./columnar-rows.js');
    const open = await formatEntry(format).columnar!();
    return (input, options) => columnarRows(() => open({ stream: () => input }, options.label), options.label, format);
  };
}

/** The entry of a format. */
export function formatEntry(format: Format): FormatEntry {
  return FORMATS.find((entry) => entry.name === format)!;
}

/** Every name `--from` and `--to` take: ["csv", "tsv", "json", "ndjson", "jsonl", …]. */
export function formatNameList(): string[] {
  return FORMATS.flatMap((e) => [e.name, ...e.aliases]);
}

/** Every name `--from` and `--to` take, as a help text lists them: "csv, tsv, json, ndjson or jsonl". */
export function formatNames(): string {
  const names = formatNameList();
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The entry a `--from` or `--to` value names (a name or an alias), or undefined. */
export function findFormat(text: string): FormatEntry | undefined {
  return FORMATS.find((e) => e.name === text || e.aliases.includes(text));
}

/** `--from` / `--to` values: a format's name or alias. */
export function parseFormat(text: string, flag = '--from'): Format {
  const entry = findFormat(text);
  if (entry) return entry.name;
  throw new BnError('BN_BAD_OPTION', `${flag}: unknown format ${quoteText(text)} (expected ${formatNames()})`);
}

/** The format a path's extension says (under a compression suffix: `a.csv.gz` is CSV), or undefined. */
export function formatFromPath(file: string): Format | undefined {
  const path = compressionFromPath(file).rest;
  const dot = path.lastIndexOf('.');
  if (dot < 0) return undefined;
  const extension = path.slice(dot).toLowerCase();
  return FORMATS.find((entry) => entry.extensions.includes(extension))?.name;
}

/** SPEC §2: the first non-blank byte says the format: `[` json, `{` ndjson, anything else (or nothing) csv. */
export function formatFromFirstByte(byte: number | undefined): Format {
  return FORMATS.find((entry) => entry.firstByte !== undefined && entry.firstByte === byte)?.name ?? 'csv';
}

/** Blank bytes before the first record: white space and the bytes of a UTF-8 BOM. */
const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]);

const firstNonBlank = (head: readonly Buffer[]) => {
  for (const chunk of head) {
    const byte = chunk.find((b) => !BLANK.has(b));
    if (byte !== undefined) return byte;
  }
  return undefined;
};

export interface SniffedInput {
  /** The format the first non-blank byte says. */
  format: Format;
  /** The compression the first bytes say (gzip, zstd, zlib's deflate), or undefined. */
  compression?: Compression;
  /** The input's bytes from the start, decompressed. */
  input: Readable;
  /** The first chunks of `input` (one at least, unless it is empty): enough to sniff a CSV dialect. */
  head: Buffer;
  /** `head` is the whole input. */
  ended: boolean;
}

/**
 * Look at the start of `input` (standard input, or a file whose name says nothing): its
 * compression by magic bytes, then its format by a binary format's magic bytes or its first
 * non-blank byte. `compression` is
 * the one a file's suffix said, if any.
 */
export async function sniffInput(input: Readable, label: string, compression?: Compression): Promise<SniffedInput> {
  let stream = input;
  if (compression === undefined) {
    const raw = await peek(input, atLeast(MAGIC_BYTES));
    compression = compressionFromBytes(Buffer.concat(raw.head));
    stream = raw.input;
  }
  if (compression) stream = decompressed(stream, compression, label);
  const text = await peek(stream, (head) => atLeast(BINARY_MAGIC_BYTES)(head) && firstNonBlank(head) !== undefined);
  const head = Buffer.concat(text.head);
  const binary = FORMATS.find((entry) => entry.magic?.(head))?.name;
  return { format: binary ?? formatFromFirstByte(firstNonBlank(text.head)), compression, input: text.input, head, ended: text.ended };
}

/**
 * The row reader of a format, loaded. Load it before the input is opened: a stream that fails
 * while the reader's module loads would have no one listening for its error.
 */
export async function rowReader(format: Format): Promise<(input: Readable, options: ReadOptions) => TableSource> {
  return formatEntry(format).reader();
}

/** A format's row reader over `input`. */
export async function openSource(input: Readable, options: ReadOptions): Promise<TableSource> {
  return (await rowReader(options.format))(input, options);
}

/** The row writer of a format: the one place a command turns `--to` into a sink. */
export function openSink(format: Format, out: OutputWriter, options: SinkOptions): Promise<TableSink> {
  return formatEntry(format).write(out, options);
}
