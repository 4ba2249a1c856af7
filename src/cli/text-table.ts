/**
 * Plain-text tables for people: numbers rounded to a readable number of significant digits and
 * aligned on the decimal point, text aligned left, and several tables laid out with one set of
 * column widths so that consecutive sections (the batches of `bn stats -b`) line up.
 */

export type Align = 'text' | 'number';

export interface TextTable {
  header: string[];
  rows: string[][];
}

/**
 * `x` for reading, not for reading back: whole numbers below 10¹⁵ in full; otherwise `digits`
 * significant digits, trailing zeros dropped, in fixed notation from 1e-4 up to 10¹⁵ (so the mean
 * of values near 10⁹ keeps its integer digits), in scientific notation outside. NaN (a statistic
 * that does not exist) is the empty string.
 */
export function readableNumber(x: number, digits = 7): string {
  if (Number.isNaN(x)) return '';
  const magnitude = Math.abs(x);
  if (Number.isInteger(x) && magnitude < 1e15) return String(x);
  if (magnitude >= 1e15 || magnitude < 1e-4) return stripZeros(x.toExponential(digits - 1));
  const integerDigits = Math.floor(Math.log10(magnitude)) + 1;
  return stripZeros(x.toFixed(Math.min(100, Math.max(0, digits - integerDigits))));
}

/** "36.66670" → "36.6667", "1.500000e-7" → "1.5e-7", "-0.000" → "0". */
function stripZeros(text: string): string {
  const [mantissa = '', exponent] = text.split('e');
  let m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  if (/^-0$/.test(m)) m = '0';
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/** The part of a number before its decimal point (or exponent), and the rest. */
function splitAtPoint(cell: string): [string, string] {
  const at = cell.search(/[.e]/);
  return at < 0 ? [cell, ''] : [cell.slice(0, at), cell.slice(at)];
}

/**
 * Pad every cell of `tables` (headers included) to its column's width, the same width in every
 * table: text columns left-aligned, number columns aligned on the decimal point and right-aligned
 * as a block under a right-aligned header. Tables may have fewer columns than `aligns`.
 */
export function alignTables(aligns: readonly Align[], tables: readonly TextTable[]): TextTable[] {
  const cellsOf = (c: number) => tables.flatMap((t) => t.rows.map((r) => r[c]).filter((s): s is string => s !== undefined));
  const headersOf = (c: number) => tables.map((t) => t.header[c]).filter((s): s is string => s !== undefined);
  const pads = aligns.map((align, c) => {
    const headerWidth = Math.max(0, ...headersOf(c).map((h) => h.length));
    if (align === 'text') {
      const width = Math.max(headerWidth, ...cellsOf(c).map((s) => s.length));
      return { cell: (s: string) => s.padEnd(width), header: (h: string) => h.padEnd(width) };
    }
    const parts = cellsOf(c).map(splitAtPoint);
    const intWidth = Math.max(0, ...parts.map(([i]) => i.length));
    const restWidth = Math.max(0, ...parts.map(([, r]) => r.length));
    const width = Math.max(headerWidth, intWidth + restWidth);
    const cell = (s: string) => {
      const [i, r] = splitAtPoint(s);
      return (i.padStart(intWidth) + r.padEnd(restWidth)).padStart(width);
    };
    return { cell, header: (h: string) => h.padStart(width) };
  });
  return tables.map((t) => ({
    header: t.header.map((h, c) => pads[c]!.header(h)),
    rows: t.rows.map((r) => r.map((s, c) => pads[c]!.cell(s))),
  }));
}

/** Apply `style` to the text of a padded cell, leaving its padding plain. */
export function paintCell(cell: string, style: (s: string) => string): string {
  return cell.replace(/\S(.*\S)?/, (text) => style(text));
}

/** One line of a table: cells two spaces apart, no trailing blanks. */
export function tableLine(cells: readonly string[]): string {
  return cells.join('  ').trimEnd();
}

/** "1 row", "1,234 rows", "2 batches". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupThousands(n)} ${n === 1 ? one : many}`;
}

/**
 * An integer with commas between groups of three digits, as toLocaleString('en-US') writes it:
 * by hand, since the first toLocaleString call loads ICU's number formatting (≈ 18 ms, a fifth
 * of a small file's whole run). Anything but a safe integer goes to toLocaleString.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
