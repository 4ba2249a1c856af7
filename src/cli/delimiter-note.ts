/**
 * What a person at a terminal is told when bn took a delimiter other than the comma from the
 * first lines of a CSV input (standard error, `-q` silences it): a wrong guess is then seen at
 * once, not found later in the numbers.
 */
import type { Display } from './display.js';
import type { SettledInput } from './input-options.js';
import type { Io } from './io.js';

export function delimiterNote(delimiter: string): string {
  const name = delimiter === '\t' ? 'tabs' : JSON.stringify(delimiter);
  return `bn: fields separated by ${name}, as the first lines say (-d sets the delimiter)`;
}

/** Tell the terminal, if there is one to tell. */
export function noteDelimiter(input: SettledInput, display: Display, io: Io): void {
  if (display.summary && input.sniffedDelimiter !== undefined) io.stderr.write(`${display.err.dim(delimiterNote(input.sniffedDelimiter))}\n`);
}
