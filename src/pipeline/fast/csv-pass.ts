/**
 * One sequential pass of the byte scanner over a CSV/TSV stream: the header, blank records, and
 * a handler for each data record, with the errors and checks in the same order as the row reader
 * (csv-parse) meets them (rows before a malformed record are handled first; the
 * first data row's width is checked before --select is bound to the header).
 */
import { columnNames, raggedRow, type ByteCounter, type CsvOptions } from '../../io/csv-rows.js';
import { CsvScanner, RecordDelimiter, type CsvRecord } from '../../io/fast/csv-scanner.js';
import { translateError } from '../../io/fast/scan-error.js';
import { NumericBlock } from '../../io/fast/numeric-block.js';
import { NumericLines } from '../../io/fast/numeric-lines.js';
import { Utf8Checker } from '../../io/utf8.js';
import { isBlank, type CsvLayout } from './csv-layout.js';

/**
 * Where a data record goes: made once the header and the first data record are known. With
 * `fixedFeatures`, it says when its feature columns are settled and NumericLines may read them
 * (records then come with their values parsed: CsvRecord.values).
 */
export type RecordHandler = ((record: CsvRecord) => void) & {
  fixedFeatures?: () => readonly number[] | undefined;
  /** Takes lines NumericBlock read (values, and fields when `linesWithFields`): where the handler keeps no record or borrows them. */
  lines?: (block: NumericBlock) => void;
  linesWithFields?: boolean;
};

/**
 * Bytes scanned at a time until the features are settled and NumericLines (and NumericBlock) are
 * put in front of the scanner, which is checked after each chunk: the lines before are read one
 * by one the slow way, in code not yet compiled (a first chunk of 256 KiB read so took 70 ms of a
 * 0.6 s `bn stats`).
 */
export const SETTLE_BYTES = 16 << 10;
const SETTLE_LIMIT = 256 << 10;

/** `data` in pieces of SETTLE_BYTES while `settling()` says so, then the rest at once: each piece a chunk of its own (checked after, handed on). */
export function* settlingPieces(data: Uint8Array, settling: () => boolean): Generator<Uint8Array> {
  let at = 0;
  while (settling() && data.length - at > SETTLE_BYTES) {
    yield data.subarray(at, at + SETTLE_BYTES);
    at += SETTLE_BYTES;
  }
  yield at === 0 ? data : data.subarray(at);
}

export interface PassResult {
  /** The layout, or undefined for an input without a single record (an error unless allowed). */
  layout: CsvLayout | undefined;
  /** The record delimiter, once a line break showed it. */
  recordDelimiter: RecordDelimiter;
  /** Lines in the input, plus 1: the line after the last. */
  nextLine: number;
  /** Data records. */
  rows: number;
}

/**
 * The scanner's callback of a pass: header, blank records, then `start(layout)` at the first
 * data record (after its width is checked), whose handler takes every data record.
 */
export class RecordRouter {
  layout: CsvLayout | undefined;
  handle: RecordHandler | undefined;
  /** Data records handled so far. */
  rows = 0;

  constructor(
    private readonly options: CsvOptions,
    private readonly start: (layout: CsvLayout) => RecordHandler,
  ) {}

  readonly onRecord = (record: CsvRecord): void => {
    if (isBlank(record)) return;
    const { options } = this;
    if (this.layout === undefined) {
      const columns = columnNames(record.texts(), options.header, options.label);
      this.layout = { columns, width: columns.length, label: options.label, keyed: options.header, format: options.format ?? 'csv' };
      if (options.header) return;
    }
    if (this.handle === undefined) {
      if (record.length !== this.layout.width) throw raggedRow(this.layout.width, record.length, options.label, record.line);
      this.handle = this.start(this.layout);
    }
    this.handle(record);
    this.rows++;
  };

  /**
   * Puts NumericLines in front of `scanner` once the handler's features are settled (checked
   * after each chunk: a pass reads its first rows the slow way). True once there is nothing
   * more to do: done, or not possible (a delimiter that can be part of a number).
   */
  numericLines(scanner: CsvScanner): boolean {
    const features = this.handle?.fixedFeatures?.();
    if (features === undefined) return false;
    const { width } = this.layout!;
    const { delimiter } = this.options;
    const lines = NumericLines.for(width, delimiter, features);
    if (lines !== null) scanner.useNumericLines(lines);
    const takeLines = this.handle!.lines;
    const block = takeLines && NumericBlock.for(width, delimiter, features, this.handle!.linesWithFields);
    if (takeLines && block) {
      scanner.useNumericBlock(block, (read) => {
        takeLines(read);
        this.rows += read.rows;
      });
    }
    return true;
  }

  /** Adds the bytes of a chunk, and the rows found since the last call, to a progress counter. */
  count(counter: ByteCounter | undefined, bytes: number): void {
    this.scanned += bytes;
    if (!counter) return;
    counter.bytes += bytes;
    counter.rows += this.rows - this.counted;
    this.counted = this.rows;
  }

  private counted = 0;
  /** Bytes scanned so far (counted). */
  private scanned = 0;

  /**
   * Whether the next chunk should be small (SETTLE_BYTES): the features are not settled yet
   * (`settled`: NumericLines is in front of the scanner), early in the input; an input whose
   * features settle late is read in full chunks after SETTLE_LIMIT.
   */
  settling(settled: boolean): boolean {
    return !settled && this.scanned < SETTLE_LIMIT;
  }
}

/**
 * Reads `input` to its end through a RecordRouter. `afterChunk` runs after each chunk of input
 * is scanned: where a writer waits for its output to drain (back-pressure).
 */
export async function csvPass(
  input: AsyncIterable<Buffer>,
  options: CsvOptions,
  start: (layout: CsvLayout) => RecordHandler,
  counter?: ByteCounter,
  afterChunk?: () => Promise<void>,
): Promise<PassResult> {
  const router = new RecordRouter(options, start);
  const scanner = new CsvScanner({ delimiter: options.delimiter, lazyQuotes: options.lazyQuotes }, router.onRecord);
  // bn reads UTF-8: a chunk is checked before it is scanned, as the row readers' input is.
  const utf8 = new Utf8Checker(options.label);
  let numericLines = false;
  try {
    for await (const data of input) {
      utf8.check(data);
      for (const piece of settlingPieces(data, () => router.settling(numericLines))) {
        scanner.push(piece);
        numericLines ||= router.numericLines(scanner);
        router.count(counter, piece.length);
        if (afterChunk) await afterChunk();
      }
    }
    utf8.end();
    scanner.end();
  } catch (err) {
    throw translateError(err, options.label);
  }
  return { layout: router.layout, recordDelimiter: scanner.discoveredRecordDelimiter, nextLine: scanner.nextLine, rows: router.rows };
}
