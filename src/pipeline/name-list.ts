/**
 * Names in one option value (`--select`, `--columns`, `--gamma name=value,…`), written as in a
 * CSV header: items separated by commas; an item that starts with a double quote runs to its
 * closing quote ("" is a quote inside), so it may hold commas, outer spaces or an `=`. A quote
 * anywhere else is a character of the name. So a header line pasted as it is (`--columns "$(head
 * -1 data.csv)"`) names its columns, `"a,b"` included. A quoted name is read as --select reads
 * one (./select.ts, which worker threads load: this module is not).
 */
import { readQuoted } from './select.js';
import { quoteText } from '../errors.js';

/**
 * The items of `text`, split at the commas (or `separator`) outside an item's quotes, each trimmed
 * (quotes kept: see unquoteName). `bad` makes the error for a quote that is not closed.
 */
export function splitItems(text: string, bad: (why: string) => Error, separator = ','): string[] {
  const items: string[] = [];
  for (let start = 0; ; ) {
    let i = start;
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) throw bad('unclosed quote');
      i = quoted.end;
    }
    const comma = text.indexOf(separator, i);
    items.push(text.slice(start, comma < 0 ? text.length : comma).trim());
    if (comma < 0) return items;
    start = comma + 1;
  }
}

/**
 * An item as the name it says: the text between its quotes when it is a quoted name, else the
 * trimmed text. Text after the closing quote (`"a,b"x`) is refused through `bad`, as --select
 * refuses it: the name meant is not clear.
 */
export function unquoteName(item: string, bad: (why: string) => Error): string {
  const text = item.trim();
  if (!text.startsWith('"')) return text;
  const quoted = readQuoted(text, 0);
  if (!quoted) throw bad('unclosed quote');
  if (quoted.end !== text.length) throw bad(`text after the closing quote of ${quoteText(quoted.name)}: ${quoteText(text.slice(quoted.end))}`);
  return quoted.name;
}
