/**
 * JSON numbers whose text says more than a double holds: an id beyond 2^53 (`12345678901234567891`
 * reads as 12345678901234567000), a decimal of more than 17 digits, or of 16–17 from 2^52 on
 * (`9007199254740993.5`), that the double only approximates, a number beyond float64 (`1e400`) or
 * below it (`1e-400`). Such a number is read as a RawNumber, its text and its value: a feature
 * takes the value (and one beyond float64 is an error, as any), and a pass-through cell is written
 * back as read (SPEC §4), by every writer and inside nested values too (jsonText). Every other
 * number is a plain double, written in its shortest form, which is the same decimal number
 * (`2.50` as `2.5`, `1E2` as `100`; `-0` as `0`).
 *
 * The rule is cheap where it matters: a number up to 15 significant digits, or of 16–17 below 2^52
 * (every full print of an ordinary double), is not looked at twice.
 * (The streaming parser's side, for JSON arrays and the lines hasRawNumber finds, is in
 * ./json-reader.ts: this module loads no parser, so that a worker thread does not either.)
 */
export class RawNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}

  /** Where a writer does not know the class (JSON.stringify of a message): the double. */
  toJSON(): number {
    return this.value;
  }
}

/** The number that JSON `text` (valid JSON number syntax) reads as: a double, or a RawNumber where the double loses digits. */
export function jsonNumber(text: string, value = Number(text)): number | RawNumber {
  return losesDigits(text, value) ? new RawNumber(text, value) : value;
}

/**
 * Whether writing `value` in its shortest form would change what `text` says: a number beyond
 * float64 (`1e400`, Infinity) or below it (`1e-400`, 0 from digits that are not); one of more than
 * 17 significant digits, or of 16 or 17 from 2^52 on (an id beyond 2^53, `9007199254740993.0`,
 * `4503599627370497.5`), whose shortest form is other text. Up to 15 digits, the shortest form is
 * the same decimal number; a 16- or 17-digit number below 2^52 is written in its shortest form
 * (`0.30000000000000001` as `0.3`: the same double).
 */
function losesDigits(text: string, value: number): boolean {
  if (value - value !== 0) return true;
  if (value === 0) return NONZERO_DIGIT.test(text);
  if (text.length < 16) return false;
  let digits = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break;
    if (c < 0x30 || c > 0x39 || (leading && c === 0x30)) continue;
    leading = false;
    digits++;
  }
  // A double below 2^52 printed with 16 or 17 digits is the common case (every full print of a
  // double); its shortest form is taken for it, unasked (String() on each cost 2.5× the reading).
  return (digits > 17 || (digits > 15 && Math.abs(value) >= TWO_TO_52)) && String(value) !== text;
}

const TWO_TO_52 = 2 ** 52;

/** A digit 1–9 before any exponent: the text says a number that is not 0. */
const NONZERO_DIGIT = /^[^eE]*[1-9]/;

/**
 * JSON.stringify, but a RawNumber is written as its text, at any depth, and a BigInt as its
 * digits (a typed input's 64-bit integer inside a nested value).
 */
export function jsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'bigint') return value.toString();
  // Beyond float64 (JSON.stringify would write null): as a pass-through number is written.
  if (typeof value === 'number' && value - value !== 0 && value === value) return value > 0 ? '1e999' : '-1e999';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : jsonText(v))).join(',')}]`;
  let text = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    text += `${text ? ',' : ''}${JSON.stringify(key)}:${jsonText(v)}`;
  }
  return `{${text}}`;
}

/**
 * Whether a line of JSON text holds a number that jsonNumber keeps as text: none where
 * mayHoldLongNumber says so; otherwise its number tokens outside strings are looked at one by one.
 */
export function hasRawNumber(line: string): boolean {
  if (!mayHoldLongNumber(line)) return false;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // an escape: the next character is not a closing quote
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(line)![0];
      if (jsonNumber(token) instanceof RawNumber) return true;
      i += token.length - 1;
    }
  }
  return false;
}

/**
 * Whether `line` may hold such a number, in one pass over its characters (a regular expression
 * for this took 3.5× JSON.parse's time on a line of 17-digit doubles; this, 0.6×): a run of 16
 * digits before a point (from 2^52 on), of 18 significant digits, or an exponent that could take
 * a number from 2^52 on or beyond float64 (two digits up, three down). A line of doubles printed
 * in full (17 digits, below 2^52) has none. Digits inside strings count too: a line that only
 * may hold one is scanned token by token (hasRawNumber).
 */
function mayHoldLongNumber(line: string): boolean {
  let digits = 0; // significant digits of the current run of digits and a point
  let whole = 0; // of them, before the point
  let point = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 0 && c === 0x30) continue;
      digits++;
      if (!point) whole++;
      if (whole >= 16 || digits >= 18) return true;
      continue;
    }
    if (c === 0x2e) {
      point = true;
      continue;
    }
    if (c === 0x65 || c === 0x45) {
      let j = i + 1;
      const negative = line.charCodeAt(j) === 0x2d;
      if (negative || line.charCodeAt(j) === 0x2b) j++;
      let k = j;
      while (k < line.length && line.charCodeAt(k) >= 0x30 && line.charCodeAt(k) <= 0x39) k++;
      if (k - j >= (negative ? 3 : 2)) return true;
    }
    digits = 0;
    whole = 0;
    point = false;
  }
  return false;
}
const NUMBER = /-?[\d.eE+-]*/y;
