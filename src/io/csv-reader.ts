/**
 * CSV/TSV through csv-parse, bn's general reader: RFC 4180 quoting, LF or CRLF (mixed too), a
 * UTF-8 BOM ignored, blank lines skipped, a quote inside an unquoted field taken literally
 * (`12" pipe`, as Python and pandas do), text after a closing quote an error unless lazy quotes. The byte scanner (./fast/csv-scanner.ts, read into batches by ../pipeline/fast/) reads the same records
 * and gives the same errors and line numbers; this one stays for the delimiters it does not
 * take (a character beyond ASCII) and as the reference it is tested against (BN_NO_FAST=1).
 *
 * csv-parse's core is driven directly (./csv-parse-core.ts), so that every record before a
 * malformed one is handed on before the error: errors come in input order, as the fast reader
 * gives them. Lines are counted as CsvScanner counts them (see there):
 * a record starts 1 + (its field's LF bytes, or CR bytes in a CR file) lines after the previous one.
 */
import type { Readable } from 'node:stream';
import { BnError, readError } from '../errors.js';
import { CsvParseCore } from './csv-parse-core.js';
import { CSV_CHUNK_ROWS, CsvRecords, csvTable, type ByteCounter, type CsvOptions } from './csv-rows.js';
import { CSV_SYNTAX_MESSAGES, CsvSyntaxError, MAX_RECORD_BYTES } from './fast/csv-scanner.js';
import type { Row, TableSource } from './table.js';

export type { CsvOptions } from './csv-rows.js';

/** `eager`: each input chunk's rows handed on at once (a live stream); else in chunks of CSV_CHUNK_ROWS. */
export function csvSource(input: Readable, options: CsvOptions, eager = false): TableSource {
  return csvTable(options, (columns, counter) => readChunks(input, options, columns, counter, eager));
}

async function* readChunks(input: Readable, options: CsvOptions, columns: string[], counter: ByteCounter, eager: boolean): AsyncGenerator<Row[]> {
  const chunkRows = eager ? 1 : CSV_CHUNK_ROWS;
  // Loaded when needed: most CSV goes the fast way, and a module not loaded costs no memory.
  const { Parser, CsvError } = await import('csv-parse');
  const push = (record: string[], quotedFirst: boolean) => {
    parsed.push(record);
    quoted.push(quotedFirst);
  };
  const core = new CsvParseCore(Parser, { delimiter: options.delimiter, lazyQuotes: options.lazyQuotes, maxRecordBytes: MAX_RECORD_BYTES, recordsAtLineEnd: eager }, push);
  const records = new CsvRecords(options.header, options.label, columns);
  let parsed: string[][] = [];
  let quoted: boolean[] = [];
  let next = 1;
  let chunk: Row[] = [];
  /** The rows of the records parsed so far, in chunks (a ragged row throws). */
  function* drain(): Generator<Row[]> {
    const batch = parsed;
    const quotedFirst = quoted;
    parsed = [];
    quoted = [];
    const lineEnd = core.lineEnd;
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!;
      const line = next;
      next += 1 + countChar(record, lineEnd);
      let cells: string[] | undefined;
      cells = records.accept(record, line, quotedFirst[i]);
      if (cells === undefined) continue;
      chunk.push({ cells, line });
      if (chunk.length >= CSV_CHUNK_ROWS) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length >= chunkRows) {
      yield chunk;
      chunk = [];
    }
  }

  let head = true;
  try {
    for await (const data of input as AsyncIterable<Buffer>) {
      if (head) {
        // csv-parse would switch to UTF-16 here; bn reads UTF-8 (the fast reader refuses it too).
        if (data[0] === 0xff && data[1] === 0xfe) throw syntaxError('CSV_UTF16_BOM', options.label, 1);
        head = false;
      }
      counter.bytes += data.length;
      const failure = core.parse(data, false);
      yield* drain();
      if (failure) throw translateError(failure, options.label, next, CsvError);
    }
    const failure = core.parse(undefined, true);
    yield* drain();
    if (failure) throw translateError(failure, options.label, next, CsvError);
  } catch (err) {
    // The rows before the problem first: errors come in input order.
    if (chunk.length > 0) yield chunk;
    throw err instanceof BnError ? err : readError(err, options.label);
  }
  if (chunk.length > 0) yield chunk;
  records.end();
}

function countChar(record: string[], char: string): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf(char); i >= 0; i = field.indexOf(char, i + 1)) n++;
  }
  return n;
}

function syntaxError(code: keyof typeof CSV_SYNTAX_MESSAGES, label: string, line: number): BnError {
  return new BnError('BN_MALFORMED_CSV', `malformed CSV: ${CSV_SYNTAX_MESSAGES[code]}`, { file: label, line });
}

/** A csv-parse error, on the line where the record it is in starts. */
function translateError(err: Error, label: string, line: number, CsvError: typeof import('csv-parse').CsvError): unknown {
  if (err instanceof CsvSyntaxError) return new BnError('BN_MALFORMED_CSV', `malformed CSV: ${err.message}`, { file: label, line, column: err.field });
  if (err instanceof CsvError) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') return syntaxError(err.code, label, line);
    if (err.code === 'CSV_MAX_RECORD_SIZE') return syntaxError('CSV_RECORD_TOO_LONG', label, line);
    const message = err.message.replace(/^Invalid [^:]*:\s*/, '').replace(/\s+at line \d+$/, '');
    return new BnError('BN_MALFORMED_CSV', `malformed CSV: ${message}`, { file: label, line });
  }
  return err;
}
