/**
 * A JSON array of records, streamed (SPEC §2: a 1 GB array never needs 1 GB of memory).
 *
 * @streamparser/json's Tokenizer turns bytes into tokens and its TokenParser assembles each
 * element of the top-level array (`$.*`) into a value, then forgets it. Measured on a 45 MB array
 * of objects (Node 20, this machine): ≈ 25 MB/s, against ≈ 7 MB/s for stream-json 3 (which needs
 * Node 22) and ≈ 4 MB/s for stream-json 2. The two halves are wired here, rather than through its
 * JSONParser, to learn the byte offset of the token a syntax error is found at, for free.
 */
import type { Readable } from 'node:stream';
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType } from '@streamparser/json';
import type { ParsedTokenInfo } from '@streamparser/json';
import { BnError, quoteText, readError } from '../errors.js';
import { jsonNumber } from './json-number.js';
import { recordSource, type RecordTable } from './json-records.js';
import type { Row, TableSource } from './table.js';

const CHUNK = 512;

export function jsonSource(input: Readable, label: string): TableSource {
  return recordSource('json', label, (table) => readJson(input, table, label));
}

async function* readJson(input: Readable, table: RecordTable, label: string): AsyncGenerator<Row[]> {
  // Numbers whose double loses digits keep their text (./json-number.ts).
  const tokenizer = new RawNumberTokenizer();
  const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  let rows: Row[] = [];
  let tokens = 0;
  parser.onValue = ({ value, key }) => {
    rows.push(table.toRow(value, 0, key as number));
  };
  connect(tokenizer, parser, (token) => {
    if (tokens++ === 0 && token.token !== TokenType.LEFT_BRACKET) throw notAnArray(token, label);
  });
  let chunk: Buffer | undefined;
  try {
    for await (const bytes of input as AsyncIterable<Buffer>) {
      chunk = bytes;
      tokenizer.write(bytes);
      for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
      rows = [];
    }
    if (!tokenizer.isEnded) tokenizer.end(); // a last number token ends only here
    if (tokens === 0) throw new BnError('BN_EMPTY_INPUT', 'the input is empty', { file: label });
  } catch (err) {
    if (err instanceof BnError) throw err;
    const syntax = describeSyntaxError(err, chunk);
    if (!syntax) throw readError(err, label);
    const at = syntax.offset === undefined ? '' : ` at byte offset ${syntax.offset}`;
    throw new BnError('BN_MALFORMED_JSON', `invalid JSON${at}: ${syntax.what}`, { file: label, record: table.count });
  }
  if (rows.length > 0) yield rows;
  if (table.count === 0) throw new BnError('BN_EMPTY_INPUT', 'the JSON array holds no records', { file: label });
}

/**
 * Wire a Tokenizer to a TokenParser (as the library's JSONParser does), with `check` called on
 * every token and the token's byte offset attached to a TokenParser error.
 */
function connect(tokenizer: Tokenizer, parser: TokenParser, check?: (token: ParsedTokenInfo) => void): void {
  tokenizer.onToken = (token: ParsedTokenInfo) => {
    check?.(token);
    try {
      parser.write(token);
    } catch (err) {
      throw err instanceof TokenParserError ? Object.assign(err, { offset: token.offset }) : err;
    }
  };
  // Each side ends the other once the top-level value is complete.
  tokenizer.onEnd = () => {
    if (!parser.isEnded) parser.end();
  };
  parser.onEnd = () => {
    if (!tokenizer.isEnded) tokenizer.end();
  };
}

/**
 * The library's syntax errors as a byte offset (where known) and a short reason; undefined for
 * any other error. `chunk` is what the tokenizer was given when it failed: its message shows the
 * byte it stopped at as a Latin-1 character (`é` as `Ã`), so the character is read from there.
 */
function describeSyntaxError(err: unknown, chunk?: Buffer): { offset?: number; what: string } | undefined {
  if (err instanceof TokenParserError) {
    const unexpected = /^Unexpected (?:partial )?\w+ \((.*)\) in state/.exec(err.message);
    return { offset: (err as TokenParserError & { offset?: number }).offset, what: unexpected ? `unexpected ${unexpected[1]}` : err.message };
  }
  if (err instanceof TokenizerError) {
    const position = /^Unexpected .* at chunk position "(\d+)" \(absolute position "(\d+)"\)/s.exec(err.message);
    // Otherwise the input ended inside a value: "Tokenizer ended in the middle of a token".
    if (!position) return { what: 'unexpected end of input' };
    return { offset: Number(position[2]), what: `unexpected ${characterAt(chunk, Number(position[1]))}` };
  }
  if (err instanceof Error && /^Parser ended in mid-parsing/.test(err.message)) return { what: 'unexpected end of input' };
  return undefined;
}

/** The UTF-8 character that starts at bytes[i], quoted (its first byte, where the chunk cuts it). */
function characterAt(bytes: Buffer | undefined, i: number): string {
  const lead = bytes?.[i];
  if (bytes === undefined || lead === undefined) return 'a character';
  const length = lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  return i + length <= bytes.length ? quoteText(bytes.toString('utf8', i, i + length)) : `byte 0x${lead.toString(16)}`;
}

/**
 * Why one JSON text (an NDJSON line that JSON.parse refused) is invalid, and at which character:
 * V8's own messages differ between Node versions and often name no position.
 */
export function diagnoseJson(text: string): { index?: number; what: string } {
  const tokenizer = new Tokenizer();
  const parser = new TokenParser();
  parser.onValue = () => {};
  connect(tokenizer, parser);
  const bytes = Buffer.from(text);
  try {
    tokenizer.write(bytes);
    if (!tokenizer.isEnded) tokenizer.end();
  } catch (err) {
    const syntax = describeSyntaxError(err, bytes) ?? { what: (err as Error).message };
    const offset = syntax.offset ?? (syntax.what === 'unexpected end of input' ? bytes.length : undefined);
    return { index: offset === undefined ? undefined : bytes.subarray(0, offset).toString().length, what: syntax.what };
  }
  return { what: 'invalid JSON' };
}

function notAnArray(token: ParsedTokenInfo, label: string): BnError {
  const found = token.token === TokenType.LEFT_BRACE ? 'an object' : `${JSON.stringify(token.value)}`;
  const hint = token.token === TokenType.LEFT_BRACE ? ' (for one object a line, use --from ndjson)' : '';
  return new BnError('BN_BAD_RECORD', `expected a JSON array of records, found ${found}${hint}`, { file: label });
}

/** The streaming parser's tokenizer, its numbers read by jsonNumber. */
export class RawNumberTokenizer extends Tokenizer {
  protected override parseNumber(text: string): number {
    // The parser only passes the value on: a RawNumber reaches the record as it is.
    return jsonNumber(text) as number;
  }
}

/**
 * The value of a line of valid JSON text (JSON.parse took it) with its long numbers as RawNumbers:
 * the streaming parser, for the few lines that hold such a number.
 */
export function parseWithRawNumbers(line: string): unknown {
  const tokenizer = new RawNumberTokenizer();
  const parser = new TokenParser({ paths: ['$'] });
  let result: unknown;
  parser.onValue = ({ value }) => {
    result = value;
  };
  tokenizer.onToken = (token) => parser.write(token);
  tokenizer.onEnd = () => {
    if (!parser.isEnded) parser.end();
  };
  parser.onEnd = () => {
    if (!tokenizer.isEnded) tokenizer.end();
  };
  tokenizer.write(line);
  if (!tokenizer.isEnded) tokenizer.end();
  return result;
}
