/**
 * csv-parse's core (`Parser#api`, the function its Transform calls; csv-parse's own tests drive
 * it so), set up to read CSV as bn reads it, which the byte scanner (./fast/csv-scanner.ts)
 * reads alike — see there for the rules. csv-parse has no option for three of them, so three of
 * its steps are wrapped on this instance:
 * - record delimiters: csv-parse keeps the first one it discovers and takes the others for data
 *   (`2\r` on the first CRLF line of an LF file); once an `\n` or `\r\n` is discovered, both end
 *   records (a lone `\r` stays data);
 * - quotes: its relax_quotes both keeps a quote inside an unquoted field (wanted: `12" pipe`) and
 *   takes a quoted field that goes on after its closing quote for text (`"a "word"`), which is
 *   an error here unless lazyQuotes. That case is the one place it prepends the quote to the
 *   field, so the prepend raises the error;
 * - blank lines: a line holding only `""` is a record of one empty cell, an empty line none;
 *   csv-parse gives `[""]` for both, so whether a record's first field was quoted is kept.
 */
import type { Parser } from 'csv-parse';
import { textAfterQuote } from './fast/csv-scanner.js';

/** The part of csv-parse's core used here. */
interface ParseApi {
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  options: { record_delimiter: Buffer[] };
  state: { field: { prepend(value: Buffer): void; toString(encoding: 'utf8'): string }; record: unknown[]; recordDelimiterMaxLength: number; wasQuoting: boolean };
  __autoDiscoverRecordDelimiter(buf: Buffer, pos: number): number;
  __needMoreData(i: number, bufLen: number, end: boolean): boolean;
  __onField(): Error | undefined;
}

export interface CsvParseOptions {
  delimiter: string;
  lazyQuotes?: boolean;
  /** csv-parse's max_record_size: bytes of a record's fields, 0 for no limit. */
  maxRecordBytes?: number;
  /**
   * A chunk that ends with an LF (or a CR, in a file of lone CRs) gives all its records at once (a live stream):
   * csv-parse keeps the last bytes of every chunk until the next one, in case they begin a CRLF
   * or a delimiter of several bytes, so a chunk's last record would wait for the next chunk.
   */
  recordsAtLineEnd?: boolean;
}

const CR = Buffer.from('\r');
const LF = 0x0a;
const CR_BYTE = 0x0d;
const LINE_BREAKS = [Buffer.from('\r\n'), Buffer.from('\n')];

export class CsvParseCore {
  private readonly api: ParseApi;
  /** The chunk being parsed ends with an LF, or a CR in a file of lone CRs (see recordsAtLineEnd). */
  private endsWithLineEnd = false;
  /** The record being read began with a quoted field. */
  private quotedFirst = false;
  private readonly pushRecord: (record: string[]) => void;

  /** `push` gets each record, and whether its first field was quoted (`""` alone is a cell, not a blank line). */
  constructor(ParserClass: typeof Parser, options: CsvParseOptions, push: (record: string[], quotedFirst: boolean) => void) {
    this.pushRecord = (record) => push(record, this.quotedFirst);
    const api = (
      new ParserClass({
        delimiter: options.delimiter,
        bom: true,
        // Ragged rows are reported by bn, with the expected and the found field count.
        relax_column_count: true,
        relax_quotes: true,
        max_record_size: options.maxRecordBytes ?? 0,
      }) as unknown as { api: ParseApi }
    ).api;
    this.api = api;
    const core = this;
    const discover = api.__autoDiscoverRecordDelimiter;
    api.__autoDiscoverRecordDelimiter = function (this: ParseApi, buf, pos) {
      const length = discover.call(this, buf, pos);
      const found = this.options.record_delimiter;
      if (length > 0 && !found[0]!.equals(CR)) {
        // In place: parse() holds this array in a local.
        found.splice(0, found.length, ...LINE_BREAKS);
        this.state.recordDelimiterMaxLength = 2;
      }
      return length;
    };
    if (options.recordsAtLineEnd) {
      // What it looks ahead for starts before the last byte, an LF, and ends by it: a CRLF (its CR
      // would come first), a delimiter (none starts with an LF), a quote's next byte (the LF is
      // that byte). Inside quotes the LF is data, kept in the field's state for the next chunk.
      // In a file whose records end with lone CRs (found in an earlier chunk), a last CR is as final.
      const needMore = api.__needMoreData;
      api.__needMoreData = function (this: ParseApi, i, bufLen, end) {
        return core.endsWithLineEnd ? false : needMore.call(this, i, bufLen, end);
      };
    }
    // csv-parse knows whether a field was quoted only until it is stored; the record's first is kept.
    const onField = api.__onField;
    api.__onField = function (this: ParseApi) {
      if (this.state.record.length === 0) core.quotedFirst = this.state.wasQuoting;
      return onField.call(this);
    };
    if (!options.lazyQuotes) {
      const { state } = api;
      state.field.prepend = () => {
        // Its line is the caller's to say: where the record starts, once the records before are counted.
        throw textAfterQuote(state.field.toString('utf8'), 0, state.record.length + 1);
      };
    }
  }

  /** Parses a chunk (undefined and `end` at the end of the input): csv-parse's error, or a CsvSyntaxError (line 0). */
  parse(buf: Buffer | undefined, end: boolean): Error | undefined {
    // The buffer csv-parse reads is what it kept of the last chunk, then this one: it ends as this one does.
    const last = buf?.[buf.length - 1];
    this.endsWithLineEnd = last === LF || (last === CR_BYTE && this.lineEnd === '\r');
    try {
      return this.api.parse(buf, end, this.pushRecord, () => {});
    } catch (err) {
      if (err instanceof Error && err.name === 'CsvSyntaxError') return err;
      throw err;
    }
  }

  /** The byte that ends lines, which bn counts: LF, or CR in an old Mac file. */
  get lineEnd(): '\n' | '\r' {
    return this.api.options.record_delimiter[0]?.equals(CR) ? '\r' : '\n';
  }
}
