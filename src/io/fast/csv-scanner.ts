/**
 * A byte-level CSV tokenizer (RFC 4180) for the fast data path: it finds the fields of each
 * record as byte ranges in the input, so that numbers can be parsed straight from the bytes
 * (./decimal.ts) and only the cells that are text get decoded.
 *
 * It reads exactly what bn's general reader (../csv-reader.ts: csv-parse set up by
 * ../csv-parse-core.ts) reads with a one-byte delimiter: test/io/fast/csv-scanner.test.ts
 * compares the two on generated input fed in random chunks.
 * Record delimiters: the first line break outside quotes decides. An `\n` or `\r\n` makes both
 * of them end records from then on (real files mix them: a CRLF file appended to on Unix), and a
 * lone `\r` there is data; a lone `\r` first makes an old Mac file, where only `\r` ends records.
 * Quotes: a quote inside an unquoted field is a character like any other (`12" pipe`, as Python
 * and pandas read it). A closing quote followed by anything but a delimiter or a line break is
 * an error (CSV_TEXT_AFTER_QUOTE: `"a "word"` is most likely a quote that should have been
 * doubled); with `lazyQuotes` (Go's name) the whole field is literal text instead, opening and
 * closing quote included (`"a"b` is the text `"a"b`), as csv-parse's relax_quotes reads it.
 * Blank lines (nothing between two record delimiters) are skipped; a record of one empty
 * field (`""` alone on a line) is left to the caller, as csv-parse leaves it.
 *
 * Lines: `record.line` is the 1-based line where a record starts, counting the bytes that end
 * lines in this file: LF (so `\r\n` counts once), or CR in an old Mac file. Those are the lines `grep -n`, `sed -n 12p` and editors show, and a reader
 * that sees only field texts and the record delimiter can count them too (../csv-reader.ts
 * does), so both readers name the same line. Errors name the line where their record starts.
 *
 * Differences from csv-parse, on purpose: input that starts with a UTF-16LE BOM is refused
 * (csv-parse switches to UTF-16; bn reads UTF-8; the general reader refuses it too).
 *
 * Usage: `new CsvScanner({ delimiter }, (record) => …)`, then `push(chunk)` for each chunk (a
 * field or record may span chunks) and `end()`. The record handed to the callback is reused:
 * read what you need before returning. A number cell is
 * `parseDecimalBytes(record.buffer, record.start(i), record.end(i))`; where that is NaN,
 * `record.text(i)` says whether it is a missing-value marker or an invalid value. After an
 * error (a CsvSyntaxError, or whatever the callback throws) the scanner takes no more input.
 * A scanner that starts mid-file, at a record boundary (a worker's byte range), is told the
 * record delimiter (`recordDelimiter`) and skips the BOM check (`bom: false`).
 *
 * Cost: one pass over the bytes; each chunk is copied once behind the unfinished record of the
 * previous one (a few bytes, usually). A record spanning many chunks grows in place (its buffer
 * doubles when full), so a long record costs what its bytes cost, not chunks × its length.
 */
import { Buffer } from 'node:buffer';
import { quoteText } from '../../errors.js';
import type { NumericBlock } from './numeric-block.js';

const NUL = 0x00;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** How a field was written, which says how its bytes [start, end) become its text. */
export const FieldKind = {
  /** Unquoted, without a quote or a line break: the bytes are the text. */
  Plain: 0,
  /** Quoted, without `""` inside: the bytes between the quotes are the text. */
  Quoted: 1,
  /** Quoted, with `""` inside: the text is the bytes between the quotes with `""` → `"`. */
  Escaped: 2,
  /** Unquoted, with a quote or a line break (data) inside: the bytes are the text. */
  PlainSpecial: 3,
  /**
   * A quoted field with more after its closing quote (csv-parse's relaxed quotes): [start, end)
   * is the whole field as written, the text is held as a string.
   */
  Composite: 4,
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** The record delimiter: unknown until the first line break outside quotes. */
export const enum RecordDelimiter {
  Unknown = 0,
  /** `\n` or `\r\n`, mixed as they come. */
  Lf = 1,
  /** A lone `\r` (an old Mac file). */
  Cr = 3,
}

/** Where the scanner is within a record. */
const enum Mode {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  /** Just after a closing quote: a delimiter or a record delimiter normally follows. */
  AfterQuote = 3,
}

export type CsvSyntaxCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_UTF16_BOM' | 'CSV_TEXT_AFTER_QUOTE' | 'CSV_RECORD_TOO_LONG';

/**
 * The longest record bn reads, in bytes, line breaks inside quotes included (a file of one
 * endless line, or a quote never closed in a large file, would otherwise be held in memory
 * whole). Both CSV readers stop there with an error; the README's Limits section says so.
 */
export const MAX_RECORD_BYTES = 64 << 20;

/** Malformed input. `code` is csv-parse's code for the same case (or CSV_UTF16_BOM). */
export class CsvSyntaxError extends Error {
  readonly code: CsvSyntaxCode;
  /** 1-based line where the record with the problem starts. */
  readonly line: number;
  /** 1-based position of the field within its record. */
  readonly field: number;

  constructor(code: CsvSyntaxCode, message: string, line: number, field: number) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.code = code;
    this.line = line;
    this.field = field;
  }
}

/** The message of each syntax error, shared with the general reader so both say the same. */
export const CSV_SYNTAX_MESSAGES: Record<CsvSyntaxCode, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field opens on this line and is never closed (a quote inside quotes is written "")',
  CSV_UTF16_BOM: 'the input starts with a UTF-16 byte order mark: only UTF-8 is read',
  CSV_TEXT_AFTER_QUOTE: 'text after the closing quote of a quoted field',
  CSV_RECORD_TOO_LONG: `a record longer than ${MAX_RECORD_BYTES >> 20} MiB, the most bn reads (a line without an end, or a quote never closed?)`,
};

/**
 * The error of a quoted field that goes on after its closing quote, showing the field's text up
 * to there (its end: where the stray quote most likely is). Both readers make it here.
 */
export function textAfterQuote(content: string, line: number, field: number): CsvSyntaxError {
  const shown = content.length > 40 ? `…${content.slice(-40)}` : content;
  return new CsvSyntaxError(
    'CSV_TEXT_AFTER_QUOTE',
    `${CSV_SYNTAX_MESSAGES.CSV_TEXT_AFTER_QUOTE} ${quoteText(shown)} (a quote inside quotes is written ""; --lazy-quotes reads the field as text)`,
    line,
    field,
  );
}

/**
 * A reader of whole lines that the scanner may hand a line to before it scans it itself
 * (NumericLines, ./numeric-lines.ts, is the one): see `useNumericLines`.
 */
export interface LineReader {
  /** Values per record: the width of the table. */
  readonly width: number;
  /** Fills `record` and `values` from the line at bytes[pos..] and returns where the next starts, or −1 for a line it does not take. */
  read(bytes: Buffer, pos: number, record: CsvRecord, values: Float64Array): number;
}

/** Whether CsvScanner takes this delimiter: one ASCII character, not a quote or a line break. */
export function scannerTakes(delimiter: string): boolean {
  const code = delimiter.charCodeAt(0);
  return delimiter.length === 1 && code <= 0x7f && code !== 0x22 && code !== 0x0a && code !== 0x0d;
}

/** A record's fields as byte ranges of `buffer`: a scanned record, or one kept for later (./record-store.ts). */
export interface CsvFields {
  readonly buffer: Buffer;
  readonly length: number;
  readonly line: number;
  start(i: number): number;
  end(i: number): number;
  kind(i: number): FieldKind;
  text(i: number): string;
}

/** Every field's text of a record (scanned or stored). */
export function fieldTexts(record: CsvFields): string[] {
  const texts = new Array<string>(record.length);
  for (let i = 0; i < record.length; i++) texts[i] = record.text(i);
  return texts;
}

/**
 * One record: `length` fields, field i being bytes [start(i), end(i)) of `buffer`, written as
 * kind(i). For a Quoted or Escaped field the range is what lies between the quotes, so the raw
 * text of the cell as written is [start(i) − 1, end(i) + 1). Valid only during the callback.
 */
export class CsvRecord implements CsvFields {
  buffer: Buffer = Buffer.alloc(0);
  length = 0;
  /** 1-based line where the record starts (see the module comment). */
  line = 0;
  /**
   * Set when NumericLines read the record (see CsvScanner.useNumericLines): the value of each
   * feature column j at values[j], exactly what CellValues would parse from its field.
   */
  values: Float64Array | null = null;
  private starts = new Int32Array(16);
  private ends = new Int32Array(16);
  private kinds = new Uint8Array(16);
  /** The texts of Composite fields, by field index. */
  private composites: (string | undefined)[] = [];

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  kind(i: number): FieldKind {
    return this.kinds[i]! as FieldKind;
  }

  /** The text of field i, decoded as UTF-8. */
  text(i: number): string {
    const kind = this.kinds[i]!;
    return kind === FieldKind.Composite ? this.composites[i]! : fieldText(this.buffer, this.starts[i]!, this.ends[i]!, kind as FieldKind);
  }

  /** Every field's text: what csv-parse gives for this record. */
  texts(): string[] {
    return fieldTexts(this);
  }

  /** @internal */
  add(start: number, end: number, kind: FieldKind): void {
    const i = this.length;
    if (i === this.starts.length) this.grow();
    this.starts[i] = start;
    this.ends[i] = end;
    this.kinds[i] = kind;
    this.length = i + 1;
  }

  /** @internal */
  addComposite(start: number, end: number, text: string): void {
    this.composites[this.length] = text;
    this.add(start, end, FieldKind.Composite);
  }

  /** @internal Moves the fields found so far when the bytes before `offset` are dropped. */
  shift(offset: number): void {
    for (let i = 0; i < this.length; i++) {
      this.starts[i] = this.starts[i]! - offset;
      this.ends[i] = this.ends[i]! - offset;
    }
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    kinds.set(this.kinds);
    this.starts = starts;
    this.ends = ends;
    this.kinds = kinds;
  }
}

/** Whether `part` starts where `whole` starts (in the same memory). */
function startsAt(part: Buffer, whole: Buffer): boolean {
  return part.buffer === whole.buffer && part.byteOffset === whole.byteOffset;
}

/** The text of a field that is not Composite, from its bytes and kind. */
export function fieldText(buffer: Buffer, start: number, end: number, kind: FieldKind): string {
  const text = buffer.toString('utf8', start, end);
  return kind === FieldKind.Escaped ? text.replaceAll('""', '"') : text;
}

export interface CsvScannerOptions {
  /** One ASCII character other than a quote or a line break. Default `,`. */
  delimiter?: string;
  /** Known already (a byte range of a file whose start was read): no discovery. */
  recordDelimiter?: RecordDelimiter;
  /** Look for a BOM at the start (default true); false for a range that starts mid-file. */
  bom?: boolean;
  /** The line the input starts on (default 1): a range that starts mid-file. */
  firstLine?: number;
  /** Text after a closing quote makes the field literal text (see the module comment), not an error. */
  lazyQuotes?: boolean;
}

export type CsvRecordHandler = (record: CsvRecord) => void;

/** A field whose closing quote was followed by more (see FieldKind.Composite), being read. */
interface OpenComposite {
  /** Where the field starts as written: its opening quote. */
  rawStart: number;
  /** The text up to where the unquoted rest starts. */
  head: string;
  /** Where the unquoted rest starts. */
  restStart: number;
}

export class CsvScanner {
  private readonly delimiter: number;
  private readonly lazyQuotes: boolean;
  private readonly onRecord: CsvRecordHandler;
  private readonly record = new CsvRecord();

  /** The bytes of the unfinished record (and of a BOM not yet seen whole), or null. */
  private carry: Buffer | null = null;
  private bomChecked: boolean;
  private done = false;

  private recordDelimiter: RecordDelimiter;
  private mode = Mode.FieldStart;
  // Offsets into the current buffer (the carry followed by the new chunk).
  private pos = 0;
  private recordStart = 0;
  private fieldStart = 0;
  private fieldEnd = 0;
  private escaped = false;
  /** The current Unquoted field holds a quote or a line break. */
  private special = false;
  private composite: OpenComposite | null = null;
  // Lines, 1-based: where the current record starts, and the LF and CR bytes in its data so far.
  private recordLine = 1;
  private dataLf = 0;
  private dataCr = 0;

  constructor(options: CsvScannerOptions, onRecord: CsvRecordHandler) {
    const delimiter = options.delimiter ?? ',';
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code > 0x7f || code === QUOTE || code === LF || code === CR) {
      throw new RangeError(`CsvScanner: the delimiter must be one ASCII character, not a quote or a line break: ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = code;
    this.lazyQuotes = options.lazyQuotes ?? false;
    this.onRecord = onRecord;
    this.recordDelimiter = options.recordDelimiter ?? RecordDelimiter.Unknown;
    this.bomChecked = options.bom === false;
    this.recordLine = options.firstLine ?? 1;
  }

  /** The record delimiter, once the first line break outside quotes has shown it. */
  get discoveredRecordDelimiter(): RecordDelimiter {
    return this.recordDelimiter;
  }

  /** The line the next record starts on: after end(), 1 + the lines of the input. */
  get nextLine(): number {
    return this.recordLine;
  }

  /**
   * Bytes of an unfinished record held for the next chunk: 0 when the input so far ends at a
   * record boundary. A byte range that ends just after an LF holds bytes here only when that LF
   * was data (inside a quoted field): how a reader of ranges finds a cut that was no boundary.
   */
  get pendingBytes(): number {
    return this.carry === null ? 0 : this.carry.length;
  }

  /**
   * From now on, a record that starts on a line NumericLines can take (see there) is read by
   * it, its feature values parsed on the way (CsvRecord.values); other records as before. Only
   * in a file of LF or CRLF lines (this waits until the first line break says so); it takes the
   * lines that end with a bare LF.
   */
  useNumericLines(lines: LineReader): void {
    this.lines = lines;
    this.lineValues = new Float64Array(lines.width);
  }

  private lines: LineReader | null = null;
  private lineValues = new Float64Array(0);
  private linesTaken = 0;
  private linesMissed = 0;

  /**
   * From now on, runs of lines that NumericBlock can take are read by it, many at a time, and
   * handed to `onLines` as its values (and its fields' ranges, when it was made with them: no
   * CsvRecord, no callback a line); the other lines as before (NumericLines, if in use, then the
   * scanner). Only in a file of LF or CRLF lines, as for NumericLines.
   */
  useNumericBlock(block: NumericBlock, onLines: (block: NumericBlock) => void): void {
    this.block = block;
    this.onLines = onLines;
  }

  private block: NumericBlock | null = null;
  private onLines: (block: NumericBlock) => void = () => {};
  private blockLines = 0;
  private blockMisses = 0;

  /** Scans a chunk; calls the handler for every record it completes. */
  push(chunk: Uint8Array): void {
    if (this.done) throw new Error('CsvScanner: push() after end() or an error');
    // An error (the input's or the handler's) leaves the state half-updated: no more input.
    this.done = true;
    this.pushChunk(chunk);
    this.done = false;
  }

  /** Ends the input: the last record needs no line break; an open quote is an error. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.finish();
  }

  private pushChunk(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.carry === null ? bytes : this.join(this.carry, bytes);
    if (!this.bomChecked) {
      // Like csv-parse, look for a BOM only once three bytes are there.
      if (buf.length < 3) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.checkBom(buf);
    }
    this.scan(buf, false);
    this.keepUnfinished(buf);
  }

  /**
   * The unfinished record followed by the new chunk, in a buffer kept from push to push: a new
   * one each time (Buffer.concat) would make a chunk's worth of garbage a chunk, which the
   * garbage collector gives back to the system late. A carry already at the start of that
   * buffer (a record that spans chunks: see keepUnfinished) is not copied again.
   */
  private join(carry: Buffer, bytes: Buffer): Buffer {
    const size = carry.length + bytes.length;
    if (this.joined.length < size) {
      const grown = Buffer.allocUnsafe(Math.max(size, 2 * this.joined.length));
      carry.copy(grown, 0);
      this.joined = grown;
    } else if (!startsAt(carry, this.joined)) {
      carry.copy(this.joined, 0);
    }
    bytes.copy(this.joined, carry.length);
    return this.joined.subarray(0, size);
  }

  private joined: Buffer = Buffer.alloc(0);
  /** Where a carry goes while records of this chunk, handed on borrowed, still point into `joined`. */
  private spare: Buffer = Buffer.alloc(0);

  private finish(): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    if (!this.bomChecked && buf.length >= 3) this.checkBom(buf);
    this.scan(buf, true);
    const record = this.record;
    const len = buf.length;
    switch (this.mode) {
      case Mode.Quoted:
        throw new CsvSyntaxError('CSV_QUOTE_NOT_CLOSED', CSV_SYNTAX_MESSAGES.CSV_QUOTE_NOT_CLOSED, this.recordLine, record.length + 1);
      case Mode.AfterQuote:
        record.add(this.fieldStart, this.fieldEnd, this.escaped ? FieldKind.Escaped : FieldKind.Quoted);
        break;
      case Mode.Unquoted:
        this.endUnquoted(buf, this.fieldStart, len);
        break;
      case Mode.FieldStart:
        // After a delimiter, an empty last field; at the start of a record, no record at all.
        if (record.length === 0) return;
        record.add(len, len, FieldKind.Plain);
        break;
    }
    this.emit(buf);
  }

  private checkBom(buf: Buffer): void {
    this.bomChecked = true;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      this.pos = this.recordStart = this.fieldStart = 3;
    } else if (buf[0] === 0xff && buf[1] === 0xfe) {
      throw new CsvSyntaxError('CSV_UTF16_BOM', CSV_SYNTAX_MESSAGES.CSV_UTF16_BOM, 1, 1);
    }
  }

  /** Keeps the bytes of the unfinished record for the next chunk, and rebases the offsets. */
  private keepUnfinished(buf: Buffer): void {
    const keep = this.recordStart;
    const rest = buf.length - keep;
    if (rest > MAX_RECORD_BYTES) {
      throw new CsvSyntaxError('CSV_RECORD_TOO_LONG', CSV_SYNTAX_MESSAGES.CSV_RECORD_TOO_LONG, this.recordLine, this.record.length + 1);
    }
    if (rest === 0) {
      this.carry = null;
    } else if (keep === 0 && startsAt(buf, this.joined)) {
      // No record ended in this chunk: the record goes on where it is, and the next chunk after it.
      this.carry = buf;
    } else {
      // The records handed on from `buf` may be borrowed until the next push: not over them.
      if (this.spare.length < rest) this.spare = Buffer.allocUnsafe(Math.max(rest, 2 * this.spare.length));
      buf.copy(this.spare, 0, keep);
      [this.joined, this.spare] = [this.spare, this.joined];
      this.carry = this.joined.subarray(0, rest);
    }
    this.pos -= keep;
    this.recordStart = 0;
    this.fieldStart -= keep;
    this.fieldEnd -= keep;
    if (this.composite) {
      this.composite.rawStart -= keep;
      this.composite.restStart -= keep;
    }
    this.record.shift(keep);
  }

  /**
   * The record at `pos` read by NumericLines and handed on: the position after it, or −1 when
   * the line is not one it takes (kept out of scan(), whose loop V8 optimizes worse with it in).
   */
  private numericLine(buf: Buffer, pos: number): number {
    const record = this.record;
    const next = this.lines!.read(buf, pos, record, this.lineValues);
    if (next >= 0) {
      this.linesTaken++;
      record.values = this.lineValues;
      this.emit(buf);
      record.values = null;
      this.recordStart = next;
      return next;
    }
    record.length = 0; // what it found before it gave up
    // Most lines are not for it (a missing value in every row, say): each try is then work
    // thrown away. It stops trying.
    if (++this.linesMissed > 64 && this.linesMissed > 2 * this.linesTaken) this.lines = null;
    return -1;
  }

  /** Lines from `pos` on read by NumericBlock and handed on: where the next starts, or −1 when it took none. */
  private numericBlock(buf: Buffer, pos: number, end: number): number {
    const block = this.block!;
    const rows = block.read(buf, pos, end);
    if (rows === 0) {
      // As for NumericLines: where most lines are not for it, it stops trying.
      if (++this.blockMisses > 64 && this.blockMisses > 2 * this.blockLines) this.block = null;
      return -1;
    }
    this.blockLines += rows;
    block.line = this.recordLine;
    this.onLines(block);
    this.recordLine += rows; // lines of no data line break: one each
    this.recordStart = block.next;
    return block.next;
  }

  /** Hands the record to the callback, and counts its lines: the data's line breaks and its delimiter. */
  private emit(buf: Buffer): void {
    const record = this.record;
    record.buffer = buf;
    record.line = this.recordLine;
    this.onRecord(record);
    record.length = 0;
    this.endLine();
  }

  /** A record delimiter passed (after a record, or a blank line): the next record's line. */
  private endLine(): void {
    this.recordLine += 1 + (this.recordDelimiter === RecordDelimiter.Cr ? this.dataCr : this.dataLf);
    this.dataLf = 0;
    this.dataCr = 0;
  }

  /** Ends the Unquoted field that runs to `end`: plain, special, or the rest of a composite. */
  private endUnquoted(buf: Buffer, fieldStart: number, end: number): void {
    const composite = this.composite;
    if (composite !== null) {
      this.record.addComposite(composite.rawStart, end, composite.head + buf.toString('utf8', composite.restStart, end));
      this.composite = null;
    } else {
      this.record.add(fieldStart, end, this.special ? FieldKind.PlainSpecial : FieldKind.Plain);
    }
  }

  /**
   * The length of the record delimiter at `pos` (whose byte is `c`, a CR or an LF), 0 if the
   * line break there is data, -1 if the next chunk must tell. Discovers the record delimiter.
   */
  private recordDelimiterAt(buf: Buffer, pos: number, c: number, last: boolean): number {
    const rd = this.recordDelimiter;
    if (c === LF) {
      if (rd === RecordDelimiter.Cr) return 0;
      this.recordDelimiter = RecordDelimiter.Lf;
      return 1;
    }
    if (rd === RecordDelimiter.Cr) return 1;
    if (pos + 1 >= buf.length && !last) return -1;
    if (buf[pos + 1] === LF) {
      this.recordDelimiter = RecordDelimiter.Lf;
      return 2;
    }
    // Case: a lone CR, data in a file of LF or CRLF lines; first, it makes an old Mac file.
    if (rd === RecordDelimiter.Lf) return 0;
    this.recordDelimiter = RecordDelimiter.Cr;
    return 1;
  }

  /** A line break that is data (in a field): counted for the lines at the end of the record. */
  private countDataBreak(c: number): void {
    if (c === LF) this.dataLf++;
    else this.dataCr++;
  }

  /**
   * Scans `buf` from `this.pos` on. Stops at its end, or earlier where a byte cannot be read
   * without the next one (a CR before a possible LF, a quote before a possible quote); with
   * `last`, nothing follows and it reads to the end.
   */
  private scan(buf: Buffer, last: boolean): void {
    const len = buf.length;
    const delimiter = this.delimiter;
    const record = this.record;
    let pos = this.pos;
    let mode = this.mode;
    let fieldStart = this.fieldStart;
    // NumericLines and NumericBlock read lines that end with an LF: up to the last one in `buf`.
    let linesEnd = this.lines !== null || this.block !== null ? buf.lastIndexOf(LF) + 1 : 0;
    this.block?.forget(); // `buf` may be a buffer reused, with other bytes

    scanning: while (pos < len) {
      if (mode === Mode.FieldStart) {
        if (pos < linesEnd && record.length === 0 && this.composite === null && this.recordDelimiter === RecordDelimiter.Lf) {
          if (this.block !== null) {
            const next = this.numericBlock(buf, pos, linesEnd);
            if (next >= 0) {
              pos = next;
              continue;
            }
          }
          if (this.lines !== null) {
            const next = this.numericLine(buf, pos);
            if (next >= 0) {
              pos = next;
              continue;
            }
          }
          if (this.lines === null && this.block === null) linesEnd = 0;
        }
        if (buf[pos] === QUOTE) {
          mode = Mode.Quoted;
          this.escaped = false;
          fieldStart = ++pos;
        } else {
          mode = Mode.Unquoted;
          this.special = false;
          fieldStart = pos;
        }
      }

      if (mode === Mode.Unquoted) {
        while (pos < len) {
          const c = buf[pos]!;
          if (c === delimiter) {
            this.endUnquoted(buf, fieldStart, pos);
            pos++;
            mode = Mode.FieldStart;
            continue scanning;
          }
          if (c > QUOTE) {
            pos++;
          } else if (c === LF || c === CR) {
            const rdLength = this.recordDelimiterAt(buf, pos, c, last);
            if (rdLength < 0) break scanning;
            if (rdLength === 0) {
              this.countDataBreak(c);
              this.special = true;
              pos++;
              continue;
            }
            if (record.length === 0 && pos === fieldStart && this.composite === null) {
              // Case: a blank line, skipped (it still ends a line).
              this.endLine();
            } else {
              this.endUnquoted(buf, fieldStart, pos);
              this.emit(buf);
            }
            pos += rdLength;
            mode = Mode.FieldStart;
            this.recordStart = pos;
            continue scanning;
          } else {
            // Case: a quote inside an unquoted field is a character (csv-parse's relax_quotes).
            if (c === QUOTE) this.special = true;
            pos++;
          }
        }
        break;
      }

      if (mode === Mode.Quoted) {
        while (pos < len) {
          const c = buf[pos]!;
          if (c === QUOTE) {
            if (pos + 1 < len) {
              if (buf[pos + 1] === QUOTE) {
                this.escaped = true;
                pos += 2;
                continue;
              }
            } else if (!last) {
              break scanning;
            }
            this.fieldEnd = pos++;
            mode = Mode.AfterQuote;
            continue scanning;
          }
          if (c === LF || c === CR) this.countDataBreak(c);
          pos++;
        }
        break;
      }

      // Mode.AfterQuote
      const c = buf[pos]!;
      const kind = this.escaped ? FieldKind.Escaped : FieldKind.Quoted;
      if (c === delimiter) {
        record.add(fieldStart, this.fieldEnd, kind);
        pos++;
        mode = Mode.FieldStart;
        continue;
      }
      const rdLength = c === LF || c === CR ? this.recordDelimiterAt(buf, pos, c, last) : 0;
      if (rdLength < 0) break;
      if (rdLength > 0) {
        record.add(fieldStart, this.fieldEnd, kind);
        this.emit(buf);
        pos += rdLength;
        mode = Mode.FieldStart;
        this.recordStart = pos;
        continue;
      }
      // Case: more after the closing quote, which csv-parse takes for a proper closing quote
      // before a NUL (its end-of-input test, `!nextChr`); otherwise an error, or (lazyQuotes)
      // the field goes on as unquoted text with its quotes part of it.
      const content = buf.toString('utf8', fieldStart, this.fieldEnd);
      const unescaped = this.escaped ? content.replaceAll('""', '"') : content;
      if (c !== NUL && !this.lazyQuotes) throw textAfterQuote(unescaped, this.recordLine, record.length + 1);
      this.composite = c === NUL
        ? { rawStart: fieldStart - 1, head: unescaped, restStart: pos }
        : { rawStart: fieldStart - 1, head: `"${unescaped}`, restStart: this.fieldEnd };
      mode = Mode.Unquoted;
    }

    this.pos = pos;
    this.mode = mode;
    this.fieldStart = fieldStart;
  }
}
