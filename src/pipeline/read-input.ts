/**
 * The input layer: which reader reads an input, and which writer writes its rows back. A data
 * command asks for a reader (a ReadPass per pass, ./batch.ts) and gets the byte scanner for
 * CSV/TSV with a one-byte ASCII delimiter (a regular file by byte ranges in worker threads, -j),
 * the block readers of typed, columnar formats (Parquet, Arrow: ./columnar-input.ts), an NDJSON
 * file by byte ranges for a pass that workers can help (./fast/ndjson-parallel.ts), and the row
 * readers (csv-parse, JSON, NDJSON) for the rest; the drivers cannot tell them apart.
 * Records read by the scanner are written back as bytes when the output is the same dialect.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { BnError } from '../errors.js';
import type { ByteCounter, CsvOptions } from '../io/csv-rows.js';
import { canBePartOfNumber } from '../io/fast/decimal.js';
import { fileChunks } from '../io/fast/file-chunks.js';
import { scannerTakes } from '../io/fast/csv-scanner.js';
import { formatEntry, rowReader } from '../io/formats.js';
import { decompressed } from '../io/compression.js';
import { countBytes, openInput, type InputSpec } from '../io/input.js';
import type { OutputWriter } from '../io/output-writer.js';
import type { Format } from '../io/table.js';
import type { TableSink } from '../io/table-sink.js';
import type { ReadPass } from './batch.js';
import { CsvRecordsWriter, sinkWriter, type BatchWriter } from './batch-writers.js';
import { columnarPass } from './columnar-input.js';
import { readCsvBatches } from './fast/csv-batches.js';
import { readFileBatches } from './fast/parallel.js';
import { readStreamBatches } from './fast/stream-parallel.js';
import { WorkerPool } from './fast/worker-pool.js';
import { readRowBatches } from './row-batches.js';

/** An input, resolved: what it is and how to read it. */
export interface InputSource {
  spec: InputSpec;
  format: Format;
  /** Undefined: the format's own (comma for CSV, tab for TSV). */
  delimiter?: string;
  header: boolean;
  /** The missing-value markers. */
  naValues: readonly string[];
  /** Threads that read a regular CSV/TSV file by byte ranges (the main thread and jobs − 1 workers). */
  jobs: number;
  /** -j as given, undefined when not: Parquet's row groups are read by workers only then (./columnar-input.ts). */
  jobsGiven?: number;
  /** Bytes per worker task; undefined: the default. */
  blockBytes?: number;
  /** The byte scanner may read it (off: csv-parse reads every CSV, the reference for tests). */
  fast: boolean;
  /** CSV/TSV: text after a closing quote is taken as text (--lazy-quotes). */
  lazyQuotes?: boolean;
}

export interface InputReader {
  read: ReadPass;
  /** The CSV dialect, when the byte scanner reads it (its records can be written back as bytes). */
  scanned?: CsvOptions;
  /** A typed, columnar format's blocks: the CSV bytes writer writes their cells. */
  columnar?: true;
  /** InputSource.fast: off, the row writer writes every format (the reference); absent: on. */
  fast?: boolean;
}

export interface ReaderOptions {
  /** What `spec` reads, when not input.spec (a spooled copy of standard input). */
  spec?: InputSpec;
  /** A progress display's counter: bytes and rows read, every pass added. */
  counter?: ByteCounter;
  /** Workers kept across passes (a whole-input normalize reads its file twice). */
  pool?: WorkerPool;
  /** Rows handed on as each input chunk is read (a live stream, --line-buffered), not in fuller chunks. */
  eager?: boolean;
}

/** The CSV dialect the byte scanner reads for this input, or undefined when a row reader reads it. */
export function scannedCsv(input: InputSource): CsvOptions | undefined {
  const own = formatEntry(input.format).delimiter;
  if (!input.fast || own === undefined) return undefined;
  const delimiter = input.delimiter ?? own;
  if (!scannerTakes(delimiter)) return undefined;
  return { delimiter, header: input.header, label: input.spec.label, format: input.format as CsvOptions['format'], lazyQuotes: input.lazyQuotes };
}

export function openReader(input: InputSource, stdin: Readable, options: ReaderOptions = {}): InputReader {
  const spec = options.spec ?? input.spec;
  const reader = readerOf(input, spec, stdin, options);
  return spec.path === undefined ? { ...reader, read: onePass(reader.read, spec.label) } : reader;
}

/**
 * Standard input is read once: a second pass (a whole-input normalize) would find it empty and
 * say the input is; it is refused saying why. The CLI spools standard input to a file first.
 */
function onePass(read: ReadPass, label: string): ReadPass {
  let passes = 0;
  return async (consumer) => {
    if (passes++ > 0) {
      throw new BnError('BN_USAGE', 'a stream (standard input, a pipe) can be read only once, and this pass reads its input twice: spool it to a file first (as bn normalize does), or give a batch size', { file: label });
    }
    return read(consumer);
  };
}

function readerOf(input: InputSource, spec: InputSpec, stdin: Readable, options: ReaderOptions): InputReader {
  const { counter } = options;
  if (formatEntry(input.format).columnar) return { read: columnarPass(input.format, spec, byRanges(spec) ? spec.path : undefined, stdin, input.spec.label, input.jobsGiven ?? 1, counter), columnar: true, fast: input.fast };
  const csv = scannedCsv(input);
  if (csv) {
    const path = byRanges(spec) ? spec.path : undefined;
    const read: ReadPass = (consumer) =>
      path !== undefined
        ? readFileBatches(path, csv, { jobs: input.jobs, blockBytes: input.blockBytes, pool: options.pool }, consumer, input.naValues, counter)
        : input.jobs > 1 && consumer.workerStep
          ? readStreamBatches(bytesOf(spec, stdin), csv, { jobs: input.jobs, blockBytes: input.blockBytes }, consumer, input.naValues, counter)
          : readCsvBatches(bytesOf(spec, stdin), csv, consumer, input.naValues, counter);
    return { read, scanned: csv, fast: input.fast };
  }
  const ndjsonPath = byLines(input, spec) ? spec.path : undefined;
  const read: ReadPass = async (consumer) => {
    // A pass that workers can help (statistics) reads an NDJSON file by byte ranges; one that writes rows, line by line.
    if (ndjsonPath !== undefined && consumer.workerStep) {
      // Loaded when used, as a format's row reader is: the JSON parsers are no part of `bn --help`.
      const { readNdjsonFileBatches } = await import('./fast/ndjson-parallel.js');
      return readNdjsonFileBatches(ndjsonPath, input.spec.label, { jobs: input.jobs, blockBytes: input.blockBytes, pool: options.pool }, consumer, input.naValues, counter);
    }
    const openSource = await rowReader(input.format);
    const stream = openInput(spec, stdin, formatEntry(input.format).text);
    const source = openSource(counter ? countBytes(stream, counter) : stream, {
      format: input.format,
      delimiter: input.delimiter,
      header: input.header,
      label: input.spec.label,
      lazyQuotes: input.lazyQuotes,
      fast: input.fast,
      eager: options.eager,
    });
    return { rows: await readRowBatches(source, consumer, counter), shape: source };
  };
  return { read, fast: input.fast };
}

/**
 * Workers for the passes over `spec` (a whole-input normalize reads its file twice, and starting
 * threads costs): when the scanner reads a regular file with -j > 1; `close` them after.
 */
export function workersFor(input: InputSource, spec: InputSpec = input.spec): WorkerPool | undefined {
  // Not for NDJSON: only its statistics pass has workers, which it starts and ends itself, so that
  // they do not sit in memory through the pass that writes (a whole-input normalize).
  return scannedCsv(input) && input.jobs > 1 && byRanges(spec) ? new WorkerPool(input.jobs - 1) : undefined;
}

/**
 * An NDJSON file read by byte ranges: its lines are independent, any cut after an LF is a line's
 * start. With -j 1 the main thread reads them all the same way: measured on 151 MB, 0.83× the time
 * of the row reader and 64 MB peak RSS against 102 (1.5 MB: 0.83× too), and its faults come in the
 * order -j 2's do (what is before a byte that is not UTF-8 is read first).
 */
function byLines(input: InputSource, spec: InputSpec): spec is InputSpec & { path: string } {
  return input.format === 'ndjson' && input.fast && byRanges(spec);
}

/**
 * The writer of rows read by `reader`: CSV bytes when the output is CSV/TSV with a one-byte
 * delimiter no number can hold, and the records are the scanner's in the same dialect or a
 * columnar format's; the format's row writer otherwise.
 */
export function openWriter(
  reader: InputReader,
  output: { format: Format; writer: OutputWriter; sink: TableSink; precision: number | undefined; delimiter?: string | undefined; header?: boolean },
): BatchWriter {
  const csv = reader.scanned;
  const delimiter = output.delimiter ?? formatEntry(output.format).delimiter;
  const bytesDelimiter = delimiter !== undefined && scannerTakes(delimiter) && !canBePartOfNumber(delimiter) ? delimiter : undefined;
  const sameDialect = csv && output.format === csv.format && delimiter === csv.delimiter;
  if (bytesDelimiter !== undefined && (sameDialect || (reader.columnar && reader.fast !== false))) return new CsvRecordsWriter(output.writer, bytesDelimiter, output.precision, output.header);
  return sinkWriter(output.sink, reader.fast !== false);
}

/**
 * A file's bytes read into one reused buffer, or standard input as it comes (a FIFO, a device or
 * a pipe named as a file streams too: only a regular file has byte ranges). A compressed file
 * streams through its decompressor.
 */
function bytesOf(spec: InputSpec, stdin: Readable): AsyncIterable<Buffer> {
  if (spec.path === undefined) return stdin as AsyncIterable<Buffer>;
  if (spec.compression) return decompressed(createReadStream(spec.path, { highWaterMark: 1 << 20 }), spec.compression, spec.label);
  return isRegularFile(spec.path) ? fileChunks(spec.path, spec.label) : createReadStream(spec.path);
}

/** Read by byte ranges (in worker threads with -j): a regular file, not compressed (its bytes have no ranges to seek to). */
function byRanges(spec: InputSpec): spec is InputSpec & { path: string } {
  return spec.path !== undefined && spec.compression === undefined && isRegularFile(spec.path);
}

/** A regular file (what byte ranges and a second pass can read); not a FIFO, a device or a pipe. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // the read that follows says why
  }
}
