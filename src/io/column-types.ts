/**
 * The type of a column of a typed format (Parquet, Arrow), said the same way for both: what a
 * reader finds in the file's schema and a writer of either format writes back, so that a
 * pass-through column keeps its type from Parquet to Arrow and back (SPEC §4). Text formats
 * have no types: their columns have none (undefined).
 */
export type ColumnType =
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'float'; bits: 16 | 32 | 64 }
  /** An exact decimal: `unscaled / 10^scale`, at most `precision` digits. */
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'string' }
  | { kind: 'bool' }
  /**
   * Anything else (dates, timestamps, binary, nested): passed through as text; a date, a time or
   * a timestamp (`temporal`) as its own text, every digit kept (./temporal-text.ts).
   */
  | { kind: 'other'; name: string; temporal?: Temporal };

export type TimeUnit = 'SECOND' | 'MILLIS' | 'MICROS' | 'NANOS';

/** What a date, time or timestamp column's integers count: `unit`s since 1970-01-01 (a time: since midnight). */
export interface Temporal {
  /**
   * An interval: Parquet's 12 bytes, months, days and milliseconds (unit MILLIS), each a
   * little-endian uint32. A duration: Arrow's, a signed count of `unit`s.
   */
  of: 'date' | 'time' | 'timestamp' | 'interval' | 'duration';
  unit: TimeUnit | 'DAY';
  /** The file says the values are UTC instants (a timestamp's text then ends in Z). */
  utc: boolean;
  /** An Arrow timestamp's time zone as the file names it (`Asia/Kolkata`, `+05:30`), kept for Arrow output. */
  zone?: string;
}

/** A column whose values are numbers, and so a feature by default (SPEC §2: by its type, not its values). */
export function isNumericType(type: ColumnType | undefined): boolean {
  return type !== undefined && (type.kind === 'int' || type.kind === 'float' || type.kind === 'decimal');
}

/**
 * The exact decimal text of `unscaled / 10^scale` ("-12.340" for -12340n, 3). Its Number() is the
 * double nearest the exact value (JavaScript's string-to-number rounds correctly), which dividing
 * by 10^scale in floating point is not once the digits pass 2^53.
 */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** The unscaled integer of a decimal cell (its exact text, or a number) at `scale`: what a writer stores. */
export function unscaledDecimal(cell: string | number, scale: number): bigint {
  // toFixed is exact (ECMAScript: the n with n/10^f closest to x), so a double goes through it unrounded but for the last digit.
  const text = typeof cell === 'number' ? cell.toFixed(Math.max(0, Math.min(scale, 100))) : cell.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal: ${JSON.stringify(text)}`);
  const [, sign, whole = '', fraction = ''] = match;
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}` || '0';
  const value = BigInt(digits);
  return sign === '-' ? -value : value;
}
