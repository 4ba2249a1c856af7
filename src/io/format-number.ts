/**
 * Writing numbers (SPEC §4): by default the shortest text that reads back to the same float64,
 * which is what ECMAScript's Number-to-String already produces; with a precision, N significant
 * digits, then again the shortest form of that rounded value (no trailing zeros, `1e-7` style).
 */
export function numberFormatter(precision?: number): (x: number) => string {
  if (precision === undefined) return (x) => String(x);
  return (x) => String(Number(x.toPrecision(precision)));
}

/**
 * A pass-through number as read from JSON, written back: a literal beyond float64 (`1e999`) was
 * read as ±Infinity, which JSON cannot spell; `1e999` reads back as the same value.
 */
export function numberAsRead(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? '1e999' : '-1e999';
}
