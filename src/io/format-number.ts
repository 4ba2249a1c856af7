import { jsonText } from './json-number.js';
import type { Cell } from './table.js';

/**
 * Writing numbers (SPEC §4): by default the shortest text that reads back to the same float64,
 * which is what ECMAScript's Number-to-String already produces; with a precision, N significant
 * digits, then again the shortest form of that rounded value (no trailing zeros, `1e-7` style).
 */
export function numberFormatter(precision?: number): (x: number) => string {
  if (precision === undefined) return (x) => String(x);
  const round = numberRounder(precision);
  return (x) => String(round(x));
}

/**
 * The same rounding as a number, for a typed output (Parquet, Arrow) that stores the double:
 * with a precision, the value its text reads back as; without, x itself, no text made (−0 as 0,
 * as the text "0" reads back).
 */
export function numberRounder(precision?: number): (x: number) => number {
  if (precision === undefined) return (x) => x + 0;
  return (x) => Number(x.toPrecision(precision));
}

/**
 * A pass-through number as read, written back as text: a JSON literal beyond float64 (`1e999`) was
 * read as ±Infinity, which JSON cannot spell; `1e999` reads back as the same value. A NaN (a
 * typed input's, since no text reads as one) is `NaN`, which bn reads back as missing.
 */
export function numberAsRead(x: number): string {
  if (Number.isFinite(x) || x !== x) return String(x);
  return x > 0 ? '1e999' : '-1e999';
}

/**
 * A cell as text (a CSV field before quoting, a string column's value): text as it is; a number
 * in a feature column by `formatNumber` (a value not transformed: NaN), in another as read;
 * missing as the empty text; any other value (a JSON object, a boolean) as JSON.
 */
export function cellText(cell: Cell, feature: boolean, formatNumber: (x: number) => string): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return feature ? formatNumber(cell) : numberAsRead(cell);
  // A JSON value as read: a long number's own digits (a RawNumber), at any depth.
  return cell === null || cell === undefined ? '' : jsonText(cell);
}
