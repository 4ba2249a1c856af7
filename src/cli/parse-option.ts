/**
 * Option values are checked once, here, at the boundary (STYLE: loose outside, strict inside).
 * Commander calls these as argument parsers; an InvalidArgumentError becomes a one-line usage
 * error with exit status 2. Unlike parseFloat, they reject "abc", "NaN", "Infinity" and "1x".
 */
import { InvalidArgumentError } from 'commander';
import { parseDecimal } from '../io/numbers.js';
import { splitItems, unquoteName } from '../pipeline/name-list.js';
import { quoteText } from '../errors.js';

export function positiveInteger(text: string): number {
  const whole = /^\s*\+?\d+\s*$/.test(text);
  if (whole && Number(text) > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError(`too large: at most ${Number.MAX_SAFE_INTEGER}.`);
  if (!whole || Number(text) < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return Number(text);
}

export function nonNegativeNumber(text: string): number {
  const x = parseDecimal(text);
  if (!Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected a finite number ≥ 0.');
  return x;
}

export function significantDigits(text: string): number {
  const n = positiveInteger(text);
  if (n > 17) throw new InvalidArgumentError('expected 1 to 17 significant digits.');
  return n;
}

export function singleCharacter(text: string): string {
  const unescaped = text === '\\t' || text === 'tab' ? '\t' : text;
  if ([...unescaped].length !== 1 || unescaped === '"' || unescaped === '\n' || unescaped === '\r') {
    throw new InvalidArgumentError(`expected one character (\\t or "tab" for a tab), not a quote or a line break: ${quoteText(text)}.`);
  }
  return unescaped;
}

/** A file name (-o, --stats, --save-stats): not empty, which no file is called. */
export function fileName(text: string): string {
  if (text === '') throw new InvalidArgumentError('expected a file name, not an empty one.');
  return text;
}

/** Markers, comma-separated; one with a comma or outer spaces in double quotes (`"n,a"`), as --select names are. */
export function markerList(text: string): string[] {
  const bad = (why: string) => new InvalidArgumentError(`${why}.`);
  return splitItems(text, bad).map((item) => unquoteName(item, bad));
}

/** Column names, comma-separated, a name with commas or outer spaces in double quotes (a CSV header line); each once. */
export function nameList(text: string): string[] {
  const bad = (why: string) => new InvalidArgumentError(`${why}.`);
  const names = splitItems(text, bad).map((item) => unquoteName(item, bad));
  if (names.some((name) => name === '')) throw new InvalidArgumentError('expected column names separated by commas, not an empty one.');
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`the column ${quoteText(twice)} is named twice.`);
  return names;
}

/** `-m, --momentum`: a number in (0, 1] (the weight of the new batch), or `cumulative`. */
export function momentumValue(text: string): number | 'cumulative' {
  if (text.trim() === 'cumulative') return 'cumulative';
  const m = parseDecimal(text);
  if (!(m > 0 && m <= 1)) throw new InvalidArgumentError('expected a number in (0, 1] or "cumulative".');
  return m;
}
