/**
 * Reading numbers from text, independent of locale (SPEC §2): decimal or scientific notation
 * with an optional sign (`-1.5e-3`, `+2`, `.5`, `5.`). Surrounding spaces are allowed, as
 * datamash and pandas allow them. Anything else is not a number: `0x10`, `1,5`, `Infinity`.
 */

const DECIMAL = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

export type ParsedNumber =
  | { kind: 'number'; value: number }
  /** Written as a number, but beyond float64 (`1e999`). */
  | { kind: 'overflow' }
  | { kind: 'invalid' };

/** Number(text) for text that has the syntax of a decimal; NaN for anything else. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/**
 * A number written with a decimal comma, `1,5` or `-0,25`, as much of Europe writes them: not a
 * number to bn (a comma is a delimiter's or a thousands separator's), but worth naming.
 */
export function hasDecimalComma(text: string): boolean {
  return DECIMAL_COMMA.test(text);
}

const DECIMAL_COMMA = /^\s*[-+]?\d+,\d+\s*$/;

export function classifyNumber(text: string): ParsedNumber {
  if (!DECIMAL.test(text)) return { kind: 'invalid' };
  const value = Number(text);
  return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'overflow' };
}
