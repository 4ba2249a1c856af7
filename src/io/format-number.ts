/**
 * Writing numbers (SPEC §4): by default the shortest text that reads back to the same float64,
 * which is what ECMAScript's Number-to-String already produces; with a precision, N significant
 * digits, then again the shortest form of that rounded value (no trailing zeros, `1e-7` style).
 */
export function numberFormatter(precision?: number): (x: number) => string {
  if (precision === undefined) return (x) => String(x);
  return (x) => String(Number(x.toPrecision(precision)));
}
