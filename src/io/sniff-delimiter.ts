/**
 * The CSV dialect when `-d` is not given (SPEC §2): which of `,` tab `;` `|` separates the fields
 * of the first lines, decided as Python's csv.Sniffer does — the delimiter that gives every line
 * the same number of fields (more than one), the earlier in that list on a tie. A `;` file (a
 * decimal comma, as much of Europe writes) then reads without `-d`.
 */
import { quoteText } from '../errors.js';
import { hasDecimalComma } from './numbers.js';

/** The candidates, in order of preference when two split every line alike. */
export const CANDIDATES = [',', '\t', ';', '|'] as const;

/** Lines looked at: enough to see a pattern, few enough to cost nothing. */
const MAX_LINES = 20;

/**
 * The first complete lines (records: a quoted field may hold a line break) of `text`, the start of
 * an input; `ended`: `text` is the whole input, so its last line is complete too.
 */
function firstRecords(text: string, ended: boolean): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && records.length < MAX_LINES; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (ended && start < text.length && records.length < MAX_LINES) records.push(text.slice(start));
  return records.map((r) => (r.endsWith('\r') ? r.slice(0, -1) : r)).filter((r) => r.trim() !== '');
}

/** Fields of `record` split by `delimiter`, delimiters inside quotes left out. */
function fieldCount(record: string, delimiter: string): number {
  let count = 1;
  let quoted = false;
  for (const c of record) {
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) count++;
  }
  return count;
}

/**
 * The delimiter the start of an input says, or undefined when none splits every line alike into
 * more than one field (one column, or too ragged to tell): the format's own then.
 * @param head the first bytes of the input (a chunk or so), decompressed
 * @param ended whether `head` is the whole input
 */
export function sniffDelimiter(head: Uint8Array, ended: boolean): string | undefined {
  // latin1: one character a byte, and the candidates are ASCII: a UTF-8 sequence cut at the end costs nothing.
  const records = firstRecords(Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1'), ended);
  if (records.length === 0) return undefined;
  const alike = CANDIDATES.filter((d) => {
    const fields = fieldCount(records[0]!, d);
    return fields > 1 && records.every((r) => fieldCount(r, d) === fields);
  });
  // `1,5;2,25` lines (no header, every value with a decimal comma) split alike by `,` too, into
  // the integer and fraction parts of numbers: statistics of those would be wrong without a word.
  // Read by `;`, the decimal commas are text, which bn says.
  if (alike.includes(',') && alike.includes(';') && records.every((r) => r.split(';').some(hasDecimalComma))) return ';';
  return alike[0];
}

/** For a table read as one column: the delimiter its header seems to hold, as a hint ("; it looks split by ';': -d ';'"), or "". */
export function oneColumnHint(columns: readonly string[]): string {
  if (columns.length !== 1) return '';
  const likely = CANDIDATES.find((d) => columns[0]!.includes(d));
  if (likely === undefined) return '';
  const flag = likely === '\t' ? "-d '\\t'" : `-d '${likely}'`;
  return `; its one column ${quoteText(columns[0] ?? '')} looks split by ${likely === '\t' ? 'tabs' : `"${likely}"`}: ${flag}`;
}
