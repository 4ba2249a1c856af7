/**
 * An NDJSON line through JSON.parse, and when that fails, the error that says where and why (the
 * streaming JSON parser's diagnosis). Apart from ./ndjson-line.ts so that a `-j` worker, which
 * hands a bad line back to the main thread, does not load that parser.
 */
import { BnError } from '../errors.js';
import { hasRawNumber } from './json-number.js';
import { diagnoseJson, parseWithRawNumbers } from './json-reader.js';

/** The value of line number `line`; throws BN_MALFORMED_JSON naming the line (and column) when it is no JSON. */
export function parseLine(text: string, line: number, label: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's messages differ between Node versions and often name no position: ask the streaming
    // parser where and why (this runs once, on the line that fails).
    const { index, what } = diagnoseJson(text);
    const where = index === undefined ? { file: label, line } : { file: label, line, column: index + 1 };
    throw new BnError('BN_MALFORMED_JSON', `invalid JSON: ${what}`, where);
  }
  // A number whose double loses digits (an id beyond 2^53): read again, keeping its text.
  return hasRawNumber(text) ? parseWithRawNumbers(text) : value;
}
