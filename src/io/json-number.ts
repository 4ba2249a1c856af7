/**
 * JSON numbers whose text holds more than a double: an id beyond 2^53 (`12345678901234567891`
 * reads as 12345678901234567000), or more significant digits than any double needs (18 or more).
 * Such a number is read as a RawNumber, its text and its value: a feature takes the value, and a
 * pass-through cell is written back digit for digit (SPEC §4), by every writer and inside nested
 * values too (jsonText). Every other number is a plain double, written in its shortest form (the
 * same double: `2.50` as `2.5`, `1E2` as `100`, a 17-digit print of a double as its shortest).
 *
 * The rule is cheap where it matters: only a number of 16 or more digits is looked at twice.
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

const TWO_TO_53 = 2 ** 53;

/** The number that JSON `text` (valid JSON number syntax) reads as: a double, or a RawNumber where the double loses digits. */
export function jsonNumber(text: string, value = Number(text)): number | RawNumber {
  return losesDigits(text, value) ? new RawNumber(text, value) : value;
}

/**
 * Whether writing `value` in its shortest form would change what `text` says: an integer literal
 * beyond 2^53, or more than 17 significant digits, whose shortest form is other text.
 */
function losesDigits(text: string, value: number): boolean {
  if (text.length < 16) return false;
  let digits = 0;
  let leading = true;
  let integer = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (leading && c === 0x30) continue;
      leading = false;
      digits++;
    } else if (c === 0x2e) {
      integer = false;
    } else if (c === 0x65 || c === 0x45) {
      integer = false;
      break;
    }
  }
  if (digits <= 15) return false;
  if (digits <= 17 && !(integer && Math.abs(value) >= TWO_TO_53)) return false;
  return String(value) !== text;
}

/**
 * JSON.stringify, but a RawNumber is written as its text, at any depth, and a BigInt as its
 * digits (a typed input's 64-bit integer inside a nested value).
 */
export function jsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'bigint') return value.toString();
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
 * Whether a line of JSON text holds a number that jsonNumber keeps as text. A line without a long
 * integer or 18 significant digits in a row has none (the common case, float data included: one
 * regular-expression test); otherwise its number tokens outside strings are looked at one by one.
 */
export function hasRawNumber(line: string): boolean {
  if (!LONG_RUN.test(line)) return false;
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
 * What such a number needs, in the text: an integer of 16 digits or more (no point, no exponent),
 * or 18 significant digits. A double printed in full (17 digits) has neither, so a line of them
 * is not scanned.
 */
const LONG_RUN = /(?<![\d.])\d{16,}(?![\d.eE])|[1-9](?:\.?\d){17}/;
const NUMBER = /-?[\d.eE+-]*/y;
