/**
 * Writers of batches: a batch's rows back in the output format, each feature cell replaced by
 * its transformed value (a missing one, NaN, written back as it was read). Two kinds:
 *
 * - CsvRecordsWriter: CSV/TSV bytes (CsvBytesWriter), numbers written straight into the buffer,
 *   for records read by the byte scanner and written in the same dialect (every other cell
 *   copied from the input; workers write their byte ranges with the same `writeCsvRecords`),
 *   and for the records of a typed, columnar format (every other cell's text, as the row
 *   writer writes it, with no row built).
 * - ColumnsWriter: a batch's columns to a typed format's TableSink (Parquet, Arrow), which
 *   gathers them as they are (its gatherer): feature values from the batch, every other cell
 *   from the records, no row built.
 * - RowsWriter: any rows to any format, through the format's TableSink (../io/formats.ts).
 *
 * All are synchronous per batch and buffer what they write; `drain` hands it to the output and
 * waits for it to be taken (back-pressure).
 */
import { encodeCsv } from '../io/csv-writer.js';
import { CsvBytesWriter } from '../io/fast/csv-bytes-writer.js';
import { cellText, numberFormatter } from '../io/format-number.js';
import type { OutputWriter } from '../io/output-writer.js';
import type { Row } from '../io/table.js';
import type { ColumnGatherer, TableLayout, TableSink } from '../io/table-sink.js';
import type { RowBatch } from './batch.js';
import { featurePositions, writeCsvRecords, writeValue } from './fast/write-csv-records.js';

export interface BatchWriter {
  /** What the output starts with (a header), before any row. */
  start(layout: TableLayout): void;
  /** The first `rows` rows of `batch` (default: all), the values at layout.features transformed. */
  write(batch: RowBatch, rows?: number): void;
  /** Bytes a worker wrote with writeCsvRecords (CsvRecordsWriter only), and its --precision. */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  readonly precision?: number | undefined;
  /** Enough is buffered to hand on. */
  readonly full: boolean;
  /** Hands what is buffered to the output, waiting for it to be taken. */
  drain(): Promise<void>;
  /**
   * After an error: the rows written before it go out, as a row writer would have written them
   * by then; a header with no row after it does not (nothing reaches the output before a row, so
   * an error found before the first one leaves it empty).
   */
  abandon(): Promise<void>;
  /** After the last row: drain and flush. */
  end(): Promise<void>;
}

export class CsvRecordsWriter implements BatchWriter {
  private readonly bytes: CsvBytesWriter;
  private readonly format: ((x: number) => string) | undefined;
  /** A feature's number that was not transformed (NaN), as the row writer writes it. */
  private readonly formatNumber: (x: number) => string;
  private featureOf: Int32Array = new Int32Array(0);
  private width = 0;
  private started = false;
  /** A row (or a worker's bytes) has been written after the header. */
  private wroteRows = false;

  constructor(
    private readonly out: OutputWriter,
    private readonly delimiter: string,
    /** --precision; none: the shortest round-trip text. */
    readonly precision: number | undefined,
    /** Write the header row (--no-output-header: not). */
    private readonly header = true,
  ) {
    this.bytes = new CsvBytesWriter(delimiter.charCodeAt(0));
    this.format = precision === undefined ? undefined : numberFormatter(precision);
    this.formatNumber = numberFormatter(precision);
  }

  start(layout: TableLayout): void {
    if (this.started) return;
    this.started = true;
    this.width = layout.width;
    this.featureOf = featurePositions(layout.features, Math.max(layout.width, layout.columns.length));
    // The header as the row writer writes it (positional records, -n, have none).
    if (layout.keyed && this.header) this.bytes.raw(Buffer.from(encodeCsv([layout.columns.slice(0, layout.width)], this.delimiter), 'utf8'));
  }

  write(batch: RowBatch, rows = batch.rows): void {
    if (rows > 0) this.wroteRows = true;
    if (batch.records!.fields) writeCsvRecords(this.bytes, batch, this.featureOf, this.format, rows);
    else writeCsvCells(this.bytes, batch, this.featureOf, this.format, this.formatNumber, this.width, rows);
  }

  async writeBytes(bytes: Uint8Array): Promise<void> {
    if (bytes.length > 0) this.wroteRows = true;
    await this.drain();
    await this.inFlight;
    await this.out.writeThrough(bytes);
  }

  get full(): boolean {
    return this.bytes.full;
  }

  /**
   * Hands the buffer to the output and returns once the one handed before is taken: the output
   * writes one buffer while the next fills (two buffers in all, so memory stays flat).
   */
  async drain(): Promise<void> {
    await this.inFlight;
    if (this.bytes.length === 0) return;
    // Handed on once, taken or not: a failed write is not tried again with them.
    const write = this.out.writeThrough(this.bytes.handOff());
    // Awaited by the next drain or by end; meanwhile its failure is not an unhandled rejection.
    write.catch(() => {});
    this.inFlight = write;
  }

  /** The write of the buffer handed on last. */
  private inFlight: Promise<void> = Promise.resolve();

  async abandon(): Promise<void> {
    await this.inFlight;
    // Only the header is buffered (drain hands nothing on before the buffer fills): dropped.
    if (!this.wroteRows) this.bytes.handOff();
    await this.drain();
  }

  async end(): Promise<void> {
    await this.drain();
    await this.inFlight;
    await this.out.flush();
  }
}

/**
 * Rows [0, rows) of a batch of columnar records (records.value) into `out`: feature cells with a
 * value as numbers (the shortest round-trip text, or `format`'s), every other cell's text as
 * csvSink writes it (cellText), quoted where it must be; ASCII text the reader holds as bytes is
 * copied as such (records.writeAscii), the same bytes with no string made.
 */
function writeCsvCells(
  out: CsvBytesWriter,
  batch: RowBatch,
  featureOf: Int32Array,
  format: ((x: number) => string) | undefined,
  formatNumber: (x: number) => string,
  width: number,
  rows: number,
): void {
  const { value, writeAscii } = batch.records!;
  const values = batch.values;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) {
      if (j > 0) out.delimiterByte();
      const feature = featureOf[j]! >= 0;
      if (feature ? writeValue(out, values[j]!, i, format) : writeAscii !== undefined && writeAscii(i, j, out)) continue;
      const cell = value(i, j);
      const text = cellText(cell, feature, formatNumber);
      // A number as read is digits, a sign, a point and an exponent: none is the delimiter.
      if (typeof cell === 'number' && !feature) out.ascii(text);
      else if (width === 1 && text === '') out.loneEmptyField();
      else out.text(text);
    }
    out.newline();
  }
}

/**
 * The writer into `sink`: column by column when the sink gathers a batch's columns (a typed
 * format), unless `fast` is off (BN_NO_FAST=1: the row writer, the reference); row by row otherwise.
 */
export function sinkWriter(sink: TableSink, fast = true): BatchWriter {
  return fast && sink.gatherer ? new ColumnsWriter(sink, sink.gatherer) : new RowsWriter(sink);
}

export class ColumnsWriter implements BatchWriter {
  /** The sink's start, once called: its columns are made before it settles (ColumnGatherer.gather). */
  private started: Promise<void> | undefined;

  constructor(
    private readonly sink: TableSink,
    private readonly gatherer: ColumnGatherer,
  ) {}

  start(layout: TableLayout): void {
    if (this.started) return;
    this.started = this.sink.start(layout);
    // Awaited by the next drain or by end; meanwhile its failure is not an unhandled rejection.
    this.started.catch(() => {});
  }

  write(batch: RowBatch, rows = batch.rows): void {
    if (rows > 0) this.gatherer.gather({ values: batch.values, value: batch.records!.value }, rows);
  }

  get full(): boolean {
    return this.gatherer.ready;
  }

  async drain(): Promise<void> {
    await this.started;
    await this.gatherer.writeReady();
  }

  /** A typed format's sink has begun its file at start (a schema): what it gathered goes out. */
  abandon(): Promise<void> {
    return this.drain();
  }

  async end(): Promise<void> {
    await this.drain();
    await this.sink.end();
  }
}

export class RowsWriter implements BatchWriter {
  private layout: TableLayout | undefined;
  private started = false;
  /** The rows of each batch written since the last drain: a sink takes (or refuses) a batch at a time. */
  private pending: Row[][] = [];
  private held = 0;

  constructor(private readonly sink: TableSink) {}

  start(layout: TableLayout): void {
    this.layout ??= layout;
  }

  write(batch: RowBatch, rows = batch.rows): void {
    const records = batch.records!;
    const features = this.layout!.features;
    const values = batch.values;
    const out = new Array<Row>(rows);
    for (let i = 0; i < rows; i++) {
      const row = records.row(i);
      const { cells } = row;
      for (const j of features) {
        const y = values[j]![i]!;
        if (y === y) cells[j] = y;
      }
      out[i] = row;
    }
    if (rows > 0) this.pending.push(out);
    this.held += rows;
  }

  get full(): boolean {
    return this.held >= 512;
  }

  async drain(): Promise<void> {
    if (!this.started && this.layout) {
      this.started = true;
      await this.sink.start(this.layout);
    }
    while (this.pending.length > 0) {
      const rows = this.pending.shift()!;
      this.held -= rows.length;
      try {
        await this.sink.rows(rows);
      } catch (err) {
        // Nothing after a batch the sink refused: the rows held come after the error.
        this.pending = [];
        this.held = 0;
        throw err;
      }
    }
  }

  /** No row held and none written: the sink is not started (it would write a header). */
  async abandon(): Promise<void> {
    if (this.started || this.pending.length > 0) await this.drain();
  }

  async end(): Promise<void> {
    await this.drain();
    await this.sink.end();
  }
}
