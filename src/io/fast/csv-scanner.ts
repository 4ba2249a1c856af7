/**
 * A byte-level CSV tokenizer (RFC 4180) for the fast data path: it finds the fields of each
 * record as byte ranges in the input, so that numbers can be parsed straight from the bytes
 * (./decimal.ts) and only the cells that are text get decoded.
 *
 * It reads exactly what csv-parse reads with `{ bom: true, skip_empty_lines: true,
 * relax_column_count: true }` and a one-byte delimiter (test/io/fast/csv-scanner.test.ts
 * compares the two on generated input fed in random chunks), including csv-parse's choice of
 * record delimiter: the first `\r\n`, `\n` or lone `\r` outside quotes decides, and the other
 * line breaks are then data. Differences, on purpose:
 * - `line` is the physical line where a record starts, counting `\r\n`, `\n` and a lone `\r`
 *   as one line break each, also inside quoted fields (csv-parse counts `\r\n` in a field twice).
 * - A NUL byte after a closing quote is an invalid closing quote (csv-parse takes it as the end
 *   of the quoted part and goes on with the field: a `!nextChr` test meant for the end of input).
 * - Input that starts with a UTF-16LE BOM is refused (csv-parse switches to UTF-16; bn reads UTF-8).
 *
 * Usage: `new CsvScanner({ delimiter }, (record) => …)`, then `push(chunk)` for each chunk (a
 * field or record may span chunks) and `end()`. The record handed to the callback is reused:
 * read what you need before returning. A number cell is
 * `parseDecimalBytes(record.buffer, record.start(i), record.end(i))`; where that is NaN,
 * `record.text(i)` says whether it is a missing-value marker or an invalid value. After an
 * error (a CsvSyntaxError, or whatever the callback throws) the scanner takes no more input.
 *
 * Cost: one pass over the bytes; each chunk is copied once behind the unfinished record of the
 * previous one (a few bytes, usually). A single record spanning k chunks is copied k times.
 */
import { Buffer } from 'node:buffer';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** How a field was written, which says how its bytes [start, end) become its text. */
export const FieldKind = {
  /** Unquoted: the bytes are the text. */
  Plain: 0,
  /** Quoted, without `""` inside: the bytes between the quotes are the text. */
  Quoted: 1,
  /** Quoted, with `""` inside: the text is the bytes between the quotes with `""` → `"`. */
  Escaped: 2,
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** The record delimiter, as csv-parse discovers it: unknown until the first line break. */
const enum RecordDelimiter {
  Unknown = 0,
  Lf = 1,
  CrLf = 2,
  Cr = 3,
}

/** Where the scanner is within a record. */
const enum Mode {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  /** Just after a closing quote: a delimiter, a record delimiter or the end must follow. */
  AfterQuote = 3,
}

export type CsvSyntaxCode =
  | 'CSV_QUOTE_NOT_CLOSED'
  | 'CSV_INVALID_CLOSING_QUOTE'
  | 'INVALID_OPENING_QUOTE'
  | 'CSV_UTF16_BOM';

/** Malformed input. `code` is csv-parse's code for the same case (or CSV_UTF16_BOM). */
export class CsvSyntaxError extends Error {
  readonly code: CsvSyntaxCode;
  /** 1-based line of the problem; for an unclosed quote, the line where the quote opened. */
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

/**
 * One record: `length` fields, field i being bytes [start(i), end(i)) of `buffer`, written as
 * kind(i). For a quoted field the range is what lies between the quotes, so the raw text of the
 * cell as written is [start(i) − 1, end(i) + 1). Valid only during the callback.
 */
export class CsvRecord {
  buffer: Buffer = Buffer.alloc(0);
  length = 0;
  /** 1-based physical line where the record starts. */
  line = 0;
  private starts = new Int32Array(16);
  private ends = new Int32Array(16);
  private kinds = new Uint8Array(16);

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
    const text = this.buffer.toString('utf8', this.starts[i], this.ends[i]);
    return this.kinds[i] === FieldKind.Escaped ? text.replaceAll('""', '"') : text;
  }

  /** Every field's text: what csv-parse gives for this record. */
  texts(): string[] {
    const texts = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) texts[i] = this.text(i);
    return texts;
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

export interface CsvScannerOptions {
  /** One ASCII character other than a quote or a line break. Default `,`. */
  delimiter?: string;
}

export type CsvRecordHandler = (record: CsvRecord) => void;

export class CsvScanner {
  private readonly delimiter: number;
  private readonly onRecord: CsvRecordHandler;
  private readonly record = new CsvRecord();

  /** The bytes of the unfinished record (and of a BOM not yet seen whole), or null. */
  private carry: Buffer | null = null;
  /** The byte just before `carry` (or the next chunk), for line counting; -1 at the start. */
  private previousByte = -1;
  private bomChecked = false;
  private done = false;

  private recordDelimiter = RecordDelimiter.Unknown;
  private mode = Mode.FieldStart;
  // Offsets into the current buffer (the carry followed by the new chunk).
  private pos = 0;
  private recordStart = 0;
  private fieldStart = 0;
  private fieldEnd = 0;
  private escaped = false;
  // Lines, 1-based.
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;

  constructor(options: CsvScannerOptions, onRecord: CsvRecordHandler) {
    const delimiter = options.delimiter ?? ',';
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code > 0x7f || code === QUOTE || code === LF || code === CR) {
      throw new RangeError(`CsvScanner: the delimiter must be one ASCII character, not a quote or a line break: ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = code;
    this.onRecord = onRecord;
  }

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
    const buf = this.carry === null ? bytes : Buffer.concat([this.carry, bytes]);
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

  private finish(): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    if (!this.bomChecked && buf.length >= 3) this.checkBom(buf);
    this.scan(buf, true);
    const record = this.record;
    const len = buf.length;
    switch (this.mode) {
      case Mode.Quoted:
        throw new CsvSyntaxError(
          'CSV_QUOTE_NOT_CLOSED',
          `quote not closed: the quoted field that opens on line ${this.quoteLine} runs to the end of the input`,
          this.quoteLine,
          record.length + 1,
        );
      case Mode.AfterQuote:
        record.add(this.fieldStart, this.fieldEnd, this.escaped ? FieldKind.Escaped : FieldKind.Quoted);
        break;
      case Mode.Unquoted:
        record.add(this.fieldStart, len, FieldKind.Plain);
        break;
      case Mode.FieldStart:
        // After a delimiter, an empty last field; at the start of a record, no record at all.
        if (record.length === 0) return;
        record.add(len, len, FieldKind.Plain);
        break;
    }
    this.emit(buf, this.recordLine);
  }

  private checkBom(buf: Buffer): void {
    this.bomChecked = true;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      this.pos = this.recordStart = this.fieldStart = 3;
    } else if (buf[0] === 0xff && buf[1] === 0xfe) {
      throw new CsvSyntaxError('CSV_UTF16_BOM', 'the input starts with a UTF-16 byte order mark: only UTF-8 is read', 1, 1);
    }
  }

  /** Keeps the bytes of the unfinished record for the next chunk, and rebases the offsets. */
  private keepUnfinished(buf: Buffer): void {
    const keep = this.recordStart;
    this.previousByte = keep > 0 ? buf[keep - 1]! : this.previousByte;
    this.carry = keep < buf.length ? Buffer.from(buf.subarray(keep)) : null;
    this.pos -= keep;
    this.recordStart = 0;
    this.fieldStart -= keep;
    this.fieldEnd -= keep;
    this.record.shift(keep);
  }

  private emit(buf: Buffer, line: number): void {
    const record = this.record;
    record.buffer = buf;
    record.line = line;
    this.onRecord(record);
    record.length = 0;
  }

  /**
   * The length of the record delimiter at `pos` (whose byte is `c`, a CR or an LF), 0 if the
   * line break there is data, -1 if the next chunk must tell. Discovers the record delimiter.
   */
  private recordDelimiterAt(buf: Buffer, pos: number, c: number, last: boolean): number {
    const rd = this.recordDelimiter;
    if (c === LF) {
      if (rd === RecordDelimiter.Lf) return 1;
      if (rd !== RecordDelimiter.Unknown) return 0;
      this.recordDelimiter = RecordDelimiter.Lf;
      return 1;
    }
    if (rd === RecordDelimiter.Cr) return 1;
    if (rd === RecordDelimiter.Lf) return 0;
    if (pos + 1 >= buf.length && !last) return -1;
    if (buf[pos + 1] === LF) {
      this.recordDelimiter = RecordDelimiter.CrLf;
      return 2;
    }
    if (rd === RecordDelimiter.CrLf) return 0;
    this.recordDelimiter = RecordDelimiter.Cr;
    return 1;
  }

  /** 1 if the line break `c` at `pos` starts a new line: a CR, or an LF not after a CR. */
  private breaksLine(buf: Buffer, pos: number, c: number): number {
    if (c === CR) return 1;
    return (pos > 0 ? buf[pos - 1] : this.previousByte) === CR ? 0 : 1;
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
    let line = this.line;

    scanning: while (pos < len) {
      if (mode === Mode.FieldStart) {
        if (buf[pos] === QUOTE) {
          mode = Mode.Quoted;
          this.quoteLine = line;
          this.escaped = false;
          fieldStart = ++pos;
        } else {
          mode = Mode.Unquoted;
          fieldStart = pos;
        }
      }

      if (mode === Mode.Unquoted) {
        while (pos < len) {
          const c = buf[pos]!;
          if (c === delimiter) {
            record.add(fieldStart, pos, FieldKind.Plain);
            pos++;
            mode = Mode.FieldStart;
            continue scanning;
          }
          if (c > QUOTE) {
            pos++;
          } else if (c === LF || c === CR) {
            const rdLength = this.recordDelimiterAt(buf, pos, c, last);
            if (rdLength < 0) break scanning;
            line += this.breaksLine(buf, pos, c);
            if (rdLength === 0) {
              pos++;
              continue;
            }
            // Case: a blank line, skipped (csv-parse's skip_empty_lines).
            if (record.length !== 0 || pos !== fieldStart) {
              record.add(fieldStart, pos, FieldKind.Plain);
              this.emit(buf, this.recordLine);
            }
            pos += rdLength;
            mode = Mode.FieldStart;
            this.recordStart = pos;
            this.recordLine = line;
            continue scanning;
          } else if (c === QUOTE) {
            throw new CsvSyntaxError(
              'INVALID_OPENING_QUOTE',
              `invalid opening quote: a quote inside the unquoted field ${JSON.stringify(buf.toString('utf8', fieldStart, pos))}`,
              line,
              record.length + 1,
            );
          } else {
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
          if (c === LF || c === CR) line += this.breaksLine(buf, pos, c);
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
      if (rdLength === 0) {
        throw new CsvSyntaxError(
          'CSV_INVALID_CLOSING_QUOTE',
          `invalid closing quote: ${JSON.stringify(String.fromCharCode(c))} follows it instead of a delimiter or a line break`,
          line,
          record.length + 1,
        );
      }
      record.add(fieldStart, this.fieldEnd, kind);
      this.emit(buf, this.recordLine);
      line++;
      pos += rdLength;
      mode = Mode.FieldStart;
      this.recordStart = pos;
      this.recordLine = line;
    }

    this.pos = pos;
    this.mode = mode;
    this.fieldStart = fieldStart;
    this.line = line;
  }
}
