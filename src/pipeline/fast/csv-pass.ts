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
      if (record.length !== this.layout.width) throw raggedRow(this.layout.width, record.length, options.label, record.line, record.length === 1 ? record.text(0) : undefined);
      this.handle = this.start(this.layout);
    }
    this.handle(record);
    this.rows++;
  };

  /**
   * Scans a chunk of input (checked as UTF-8 already): in pieces of SETTLE_BYTES while the
   * features settle, then whole. After each piece: the line readers put in front of `scanner`
   * once they can be (`equip`), the progress counted, `afterChunk` awaited (a piece is a chunk of
   * its own: borrowed records are handed on before the next).
   */
  async scan(scanner: CsvScanner, data: Uint8Array, counter: ByteCounter | undefined, afterChunk?: () => Promise<void>): Promise<void> {
    for (const piece of settlingPieces(data, () => !this.equipped.has(scanner) && this.scanned < SETTLE_LIMIT)) {
      scanner.push(piece);
      this.equip(scanner);
      this.count(counter, piece.length);
      if (afterChunk) await afterChunk();
    }
  }

  /**
   * Puts NumericLines (and NumericBlock, for a handler that takes its lines) in front of
   * `scanner` once the handler's features are settled: a pass reads its first rows the slow way.
   * The readers are made once for the pass, whatever the scanners (a head, then reading alone).
   */
  private equip(scanner: CsvScanner): void {
    if (this.equipped.has(scanner)) return;
    const features = this.handle?.fixedFeatures?.();
    if (features === undefined) return;
    this.equipped.add(scanner);
    const { width } = this.layout!;
    const { delimiter } = this.options;
    const handle = this.handle!;
    this.readers ??= {
      lines: NumericLines.for(width, delimiter, features),
      block: handle.lines ? NumericBlock.for(width, delimiter, features, handle.linesWithFields) : null,
    };
    const { lines, block } = this.readers;
    if (lines !== null) scanner.useNumericLines(lines);
    const takeLines = handle.lines;
    if (takeLines && block !== null) {
      scanner.useNumericBlock(block, (read) => {
        takeLines(read);
        this.rows += read.rows;
      });
    }
  }

  /** The scanners the line readers are in front of (or that they cannot be: a delimiter that can be part of a number). */
  private readonly equipped = new WeakSet<CsvScanner>();
  private readers: { lines: NumericLines | null; block: NumericBlock | null } | undefined;

  /** Adds the bytes of a chunk, and the rows found since the last call, to a progress counter. */
  count(counter: ByteCounter | undefined, bytes: number): void {
    this.scanned += bytes;
    if (!counter) return;
    counter.bytes += bytes;
    counter.rows += this.rows - this.counted;
    this.counted = this.rows;
  }

  private counted = 0;
  /** Bytes scanned so far (counted): small pieces only at the start (SETTLE_LIMIT). */
  private scanned = 0;
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
  // bn reads UTF-8: a chunk is checked before it is scanned, as the row readers' input is, and
  // what comes before a bad byte is scanned first (see Utf8Checker.valid).
  const utf8 = new Utf8Checker(options.label);
  try {
    for await (const data of input) {
      const { bytes, error } = utf8.valid(data);
      await router.scan(scanner, bytes, counter, afterChunk);
      if (error) throw error;
    }
    utf8.end();
    scanner.end();
  } catch (err) {
    throw translateError(err, options.label);
  }
  return { layout: router.layout, recordDelimiter: scanner.discoveredRecordDelimiter, nextLine: scanner.nextLine, rows: router.rows };
}
