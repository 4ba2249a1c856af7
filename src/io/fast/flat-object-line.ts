/**
 * One NDJSON line read straight from its bytes, when it is a flat object with the expected keys:
 * `{"k1":v1,"k2":v2,…}` whose keys are exactly the given ones, in that order, and whose values
 * are JSON numbers, `null`, `true`, `false` or strings of printable ASCII without escapes,
 * spaces and tabs allowed between tokens. Anything else (nesting, an escape, a byte beyond
 * ASCII, other keys or another order, a duplicate key, bad syntax) is declined, and the caller
 * reads the line the general way (JSON.parse): this scanner only has to be right about what it
 * takes, never to explain what it does not.
 *
 * What it takes gets the values JSON.parse would give: a string is its bytes as Latin-1 (ASCII
 * only, so the same text); a number is read in the same pass that checks its syntax, by
 * Clinger's fast path as in ./decimal.ts (exact digits below 2^53 and a power of ten up to 22:
 * one correctly rounded operation), and otherwise by Number(text), which rounds correctly as
 * JSON.parse does and gives ±Infinity past float64 as JSON.parse does; a number whose double
 * loses digits (an id beyond 2^53) is a RawNumber, as the general reader gives it (../json-number.ts).
 */
import type { Buffer } from 'node:buffer';
import { jsonNumber, type RawNumber } from '../json-number.js';
import type { Cell } from '../table.js';
import { clingerValue, DOT, EXPONENT_CAP, LOWER_E, MINUS, PLUS, UPPER_E, ZERO } from './decimal.js';

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const NINE = 0x39;

/** A key as the bytes of its JSON string (without quotes); undefined when it needs an escape or is not ASCII. */
export function keyBytes(name: string): Uint8Array | undefined {
  const bytes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isPlainStringByte(c)) return undefined;
    bytes[i] = c;
  }
  return bytes;
}

/** A byte that stands for itself inside a JSON string: printable ASCII but the quote and the backslash. */
function isPlainStringByte(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== QUOTE && c !== BACKSLASH;
}

/**
 * Fills `cells[0..keys.length)` with the values of bytes [start, end) and returns true, when the
 * line is a flat object with exactly `keys` in order; false (cells then undefined) otherwise.
 */
export function scanFlatObject(bytes: Buffer, start: number, end: number, keys: readonly Uint8Array[], cells: Cell[]): boolean {
  let i = skipBlank(bytes, start, end);
  if (i >= end || bytes[i] !== OPEN) return false;
  i = skipBlank(bytes, i + 1, end);
  const n = keys.length;
  if (n === 0) return false; // `{}` is rare: the general path takes it
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      if (i >= end || bytes[i] !== COMMA) return false;
      i = skipBlank(bytes, i + 1, end);
    }
    // The key: the expected bytes between quotes.
    const key = keys[k]!;
    if (i >= end || bytes[i] !== QUOTE) return false;
    i++;
    const keyEnd = i + key.length;
    if (keyEnd >= end || bytes[keyEnd] !== QUOTE) return false;
    for (let m = 0; m < key.length; m++) if (bytes[i + m] !== key[m]) return false;
    i = skipBlank(bytes, keyEnd + 1, end);
    if (i >= end || bytes[i] !== COLON) return false;
    i = skipBlank(bytes, i + 1, end);
    if (i >= end) return false;
    // The value.
    const c = bytes[i]!;
    if (c === QUOTE) {
      const from = i + 1;
      let j = from;
      let d = 0;
      while (j < end && isPlainStringByte((d = bytes[j]!))) j++;
      if (j >= end || d !== QUOTE) return false;
      cells[k] = bytes.toString('latin1', from, j);
      i = j + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const stop = readJsonNumber(bytes, i, end);
      if (stop < 0) return false;
      const x = numberRead[0]!;
      // NaN, which no JSON number is, says the number kept its text (rawRead).
      cells[k] = x === x ? x : rawRead!;
      i = stop;
    } else if (matches(bytes, i, end, LITERAL_NULL)) {
      cells[k] = null;
      i += 4;
    } else if (matches(bytes, i, end, LITERAL_TRUE)) {
      cells[k] = true;
      i += 4;
    } else if (matches(bytes, i, end, LITERAL_FALSE)) {
      cells[k] = false;
      i += 5;
    } else return false;
    i = skipBlank(bytes, i, end);
  }
  if (i >= end || bytes[i] !== CLOSE) return false;
  return skipBlank(bytes, i + 1, end) === end;
}

const LITERAL_NULL = [0x6e, 0x75, 0x6c, 0x6c];
const LITERAL_TRUE = [0x74, 0x72, 0x75, 0x65];
const LITERAL_FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];

function matches(bytes: Buffer, i: number, end: number, literal: readonly number[]): boolean {
  if (i + literal.length > end) return false;
  for (let m = 0; m < literal.length; m++) if (bytes[i + m] !== literal[m]) return false;
  return true;
}

function skipBlank(bytes: Buffer, i: number, end: number): number {
  let c = 0;
  while (i < end && ((c = bytes[i]!) === SPACE || c === TAB)) i++;
  return i;
}

/**
 * The value of the number readJsonNumber read last: a slot, not a pair to allocate per number,
 * and a typed one (a module's `let` holding a double is a heap number, allocated at every store).
 */
const numberRead = new Float64Array(1);
const TWO_TO_52 = 2 ** 52;
/** The number readJsonNumber read last, when its text holds more than its double (../json-number.ts): numberRead[0] is then NaN. */
let rawRead: RawNumber | undefined;

/**
 * Reads the JSON number starting at `start` into numberRead[0] and returns where it ends, or -1 when
 * its syntax is not JSON's, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, or it is not followed
 * by a byte that ends a value (`01`, `1x`).
 */
function readJsonNumber(bytes: Buffer, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  if (i >= end) return -1;
  let c = bytes[i]!;
  // Mantissa: the digits read as an integer; it stays exact as long as its last value is below
  // 2^53 (the partial values only grow), the case the fast path below takes.
  let mantissa = 0;
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) {
    for (; i < end && (c = bytes[i]! - ZERO) >= 0 && c <= 9; i++) mantissa = mantissa * 10 + c;
  } else return -1;
  let fractionDigits = 0;
  if (i < end && bytes[i] === DOT) {
    for (i++; i < end && (c = bytes[i]! - ZERO) >= 0 && c <= 9; i++, fractionDigits++) mantissa = mantissa * 10 + c;
    if (fractionDigits === 0) return -1;
  }
  let exponent = 0;
  if (i < end && ((c = bytes[i]!) === LOWER_E || c === UPPER_E)) {
    i++;
    let exponentNegative = false;
    if (i < end && ((c = bytes[i]!) === PLUS || c === MINUS)) {
      exponentNegative = c === MINUS;
      i++;
    }
    const from = i;
    for (; i < end && (c = bytes[i]! - ZERO) >= 0 && c <= 9; i++) if (exponent < EXPONENT_CAP) exponent = exponent * 10 + c;
    if (i === from) return -1;
    if (exponentNegative) exponent = -exponent;
  }
  if (i >= end) return -1;
  c = bytes[i]!;
  if (c !== COMMA && c !== CLOSE && c !== SPACE && c !== TAB) return -1;
  // Case: zero, whatever the exponent (0e999 is 0); -0 stays -0, as in JSON.parse.
  if (mantissa === 0) numberRead[0] = negative ? -0 : 0;
  else {
    // Clinger's case, below 2^52: none that jsonNumber would keep as text (from 2^52 on, a power
    // of ten may have rounded the digits away: jsonNumber decides).
    const value = clingerValue(mantissa, exponent - fractionDigits);
    if (value === value && value < TWO_TO_52) numberRead[0] = negative ? -value : value;
    else {
      // Everything else: correctly rounded by Number, and kept as text where the double loses digits.
      const text = bytes.toString('latin1', start, i);
      const read = jsonNumber(text);
      if (typeof read === 'number') numberRead[0] = read;
      else {
        numberRead[0] = Number.NaN;
        rawRead = read;
      }
    }
  }
  return i;
}
