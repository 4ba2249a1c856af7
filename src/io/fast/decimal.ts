/**
 * Numbers straight from bytes: the number syntax of SPEC §2 (the one `classifyNumber` in
 * ../numbers.ts accepts) parsed from a range of a byte buffer, without making a string.
 *
 * The result is exactly `parseDecimal(text)` of ../numbers.ts for the text those bytes spell:
 * `Number(text)` (correctly rounded, `-0` kept, ±Infinity for an overflow like `1e999`) when
 * the syntax is right, NaN when it is not. NaN is never the value of a number that has the
 * syntax, so it can serve as the "not a number" sentinel; the caller then looks at the text
 * (a missing-value marker, or an invalid value).
 *
 * Fast path (Clinger 1990, "How to read floating point numbers accurately"): when the digits,
 * read as an integer m, are below 2^53 and the decimal exponent e satisfies |e| ≤ 22, both m and
 * 10^|e| are exact doubles, so the one multiplication m·10^e or division m/10^-e rounds once,
 * correctly, as IEEE 754 requires of both operations. That covers the numbers of typical data
 * (up to 15 or 16 significant digits, moderate exponents). Everything else — longer mantissas,
 * big exponents, subnormals, overflow — goes to `Number()` of the bytes: correct, slower.
 */
import { Buffer } from 'node:buffer';

const SPACE = 0x20;
const TAB = 0x09;
// The bytes of the number syntax (also read by ./numeric-lines.ts, which does the Clinger case below).
export const PLUS = 0x2b;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const ZERO = 0x30;
export const LOWER_E = 0x65;
export const UPPER_E = 0x45;

/**
 * A character that can be part of a number (`1.5e-3`): as a delimiter it splits numbers where a
 * number reader would not (NumericLines), and a written number would need quotes, which the
 * fast writer does not add.
 */
export function canBePartOfNumber(character: string): boolean {
  return /^[0-9.eE+-]$/.test(character);
}

/** 10^0 … 10^22: the powers of ten that are exact doubles (10^22 = 2^22·5^22 and 5^22 < 2^53). */
export const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
export const TWO_TO_53 = 2 ** 53;
/** Exponent digits beyond this cannot change the result (it is 0 or Infinity already). */
export const EXPONENT_CAP = 1e9;

/**
 * The number spelled by bytes [start, end) of `bytes`: Number(text) when the text has the
 * syntax of SPEC §2 (±Infinity when it overflows float64), NaN when it has not.
 */
export function parseDecimalBytes(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let c = 0;
  // Case: leading spaces and tabs.
  while (i < end && ((c = bytes[i]!) === SPACE || c === TAB)) i++;
  // Case: trailing spaces and tabs.
  let stop = end;
  while (stop > i && ((c = bytes[stop - 1]!) === SPACE || c === TAB)) stop--;
  if (i === stop) return Number.NaN;

  let negative = false;
  c = bytes[i]!;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    i++;
  }

  // Mantissa: digits, an optional point, digits; at least one digit in all.
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  while (i < stop && (c = bytes[i]! - ZERO) >= 0 && c <= 9) {
    mantissa = mantissa * 10 + c;
    digits++;
    i++;
  }
  if (i < stop && bytes[i] === DOT) {
    i++;
    while (i < stop && (c = bytes[i]! - ZERO) >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      fractionDigits++;
      i++;
    }
    digits += fractionDigits;
  }
  if (digits === 0) return Number.NaN;

  // Exponent: e or E, an optional sign, at least one digit.
  let exponent = 0;
  if (i < stop) {
    c = bytes[i]!;
    if (c !== LOWER_E && c !== UPPER_E) return Number.NaN;
    i++;
    let exponentNegative = false;
    if (i < stop && ((c = bytes[i]!) === MINUS || c === PLUS)) {
      exponentNegative = c === MINUS;
      i++;
    }
    const exponentStart = i;
    while (i < stop && (c = bytes[i]! - ZERO) >= 0 && c <= 9) {
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + c;
      i++;
    }
    if (i === exponentStart || i !== stop) return Number.NaN;
    if (exponentNegative) exponent = -exponent;
  }

  // Case: zero, whatever the exponent (0e999 is 0, not an overflow).
  if (mantissa === 0) return negative ? -0 : 0;
  // Case: Clinger's fast path. Every partial sum above stayed exact as long as the final one is
  // below 2^53 (they only grow), so `mantissa` is the digits' integer exactly.
  const power = exponent - fractionDigits;
  const value = clingerValue(mantissa, power);
  if (value === value) return negative ? -value : value;
  // Case: everything else. The syntax is checked, so every byte is ASCII.
  return Number(latin1(bytes, start, end));
}

/**
 * mantissa·10^power, correctly rounded, when Clinger's fast path takes it (mantissa below 2^53,
 * |power| ≤ 22: one exact operand each, one rounding); NaN otherwise. The byte readers
 * (./numeric-lines.ts, ./flat-object-line.ts) share it.
 */
export function clingerValue(mantissa: number, power: number): number {
  if (!(mantissa < TWO_TO_53 && power >= -22 && power <= 22)) return Number.NaN;
  return power >= 0 ? mantissa * EXACT_POWERS_OF_TEN[power]! : mantissa / EXACT_POWERS_OF_TEN[-power]!;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString('latin1', start, end);
}
