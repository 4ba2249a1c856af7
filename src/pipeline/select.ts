/**
 * `-s, --select LIST` (SPEC §2): which columns are features.
 *
 *   LIST  := ["!"] ITEM ("," ITEM)*        a leading ! inverts the whole list
 *   ITEM  := NAME                           a column name (spaces around it are trimmed)
 *          | "QUOTED NAME"                  a name with commas or outer spaces ("" is a quote)
 *          | N                              a 1-based column index
 *          | N-M | N- | -M                  an inclusive range of indices (N- : to the last column)
 *          | /REGEX/ | /REGEX/i             names matching a JavaScript regular expression
 *          | GLOB                           names matching a shell pattern: * any text, ? one character (p*, x?)
 *
 * An item that is exactly a column's name always means that column, so a header `2015` is
 * selected by `-s 2015` even where column 2015 would exist; a quoted item is always a name.
 *
 * Columns named, numbered or in a range are features, and must hold numbers (text in them is an
 * error). Columns matched only by a /regex/ or a glob, or left over by a `!` list, are picked the
 * way the default rule picks them: those whose first non-missing value is a number. A name, an
 * index or a glob that is none of the columns is an error, with the name probably meant.
 *
 * Parsing (`parseSelection`) happens once, at the option boundary; binding to the column names
 * (`bindSelection`) once the header is known; `role` is asked once per column, never per cell.
 */
import { BnError, quoteText } from '../errors.js';
import { didYouMean } from './closest-name.js';

export type SelectItem =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number; text: string }
  | { kind: 'range'; from: number; to: number; text: string }
  | { kind: 'regex'; regex: RegExp; text: string }
  | { kind: 'glob'; regex: RegExp; text: string };

export interface SelectionSpec {
  inverted: boolean;
  items: SelectItem[];
}

/** What a selection makes of one column. */
export type SelectRole = 'feature' | 'candidate' | 'other';

export interface Selection {
  /** The role of the column at 0-based `index` named `name`. */
  role(name: string, index: number): SelectRole;
  /** Throws BN_UNKNOWN_COLUMN for a name or index that is none of `columns` (all of them, once read). */
  check(columns: readonly string[], label: string): void;
}

/** No --select: every column is a candidate (SPEC §2's default rule). */
export const ALL_COLUMNS: Selection = { role: () => 'candidate', check: () => {} };

/** Exactly these column indices, as features (a second pass over an input already planned). */
export function fixedColumns(indices: readonly number[]): Selection {
  const set = new Set(indices);
  return { role: (_name, j) => (set.has(j) ? 'feature' : 'other'), check: () => {} };
}

export function parseSelection(text: string): SelectionSpec {
  const bad = (why: string) => new BnError('BN_BAD_OPTION', `--select: ${why}: ${quoteText(text)}`);
  const inverted = text.trimStart().startsWith('!');
  const body = inverted ? text.trimStart().slice(1) : text;
  const items: SelectItem[] = [];
  let i = 0;
  for (;;) {
    const { item, next } = readItem(body, i, bad);
    items.push(item);
    if (next >= body.length) break;
    i = next + 1; // past the comma
  }
  return { inverted, items };
}

/**
 * The quoted name that starts at text[start] (a double quote): its text, "" read as ", and the
 * index just after its closing quote; undefined when no quote closes it.
 */
export function readQuoted(text: string, start: number): { name: string; end: number } | undefined {
  let name = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '"') {
      if (text[i + 1] !== '"') return { name, end: i + 1 };
      i++;
    }
    name += text[i];
  }
  return undefined;
}

/** One item starting at `start`; `next` is the index of the comma after it (or the end). */
function readItem(body: string, start: number, bad: (why: string) => BnError): { item: SelectItem; next: number } {
  let i = start;
  while (body[i] === ' ') i++;
  if (body[i] === '"') {
    const quoted = readQuoted(body, i);
    if (!quoted) throw bad('unclosed quote');
    return { item: { kind: 'name', name: quoted.name }, next: expectComma(body, quoted.end, bad) };
  }
  if (body[i] === '/') {
    let end = i + 1;
    while (end < body.length && body[end] !== '/') end += body[end] === '\\' ? 2 : 1;
    if (end >= body.length) throw bad('unclosed /regex/');
    // JavaScript's flags (i, u, s, m, v); g and y make a RegExp's test() start where the last one stopped.
    const flags = /^[a-z]*/.exec(body.slice(end + 1))![0];
    const source = body.slice(i + 1, end);
    if (/[gy]/.test(flags)) throw bad(`/regex/ flags g and y do not apply (a column's name is matched once): /${source}/${flags}`);
    let regex: RegExp;
    try {
      regex = new RegExp(source, flags);
    } catch (err) {
      throw bad(`invalid regular expression /${source}/${flags} (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
    }
    return { item: { kind: 'regex', regex, text: body.slice(i, end + 1 + flags.length) }, next: expectComma(body, end + 1 + flags.length, bad) };
  }
  let next = body.indexOf(',', i);
  if (next < 0) next = body.length;
  const text = body.slice(i, next).trim();
  if (text === '') throw bad('empty item');
  return { item: plainItem(text, bad), next };
}

function expectComma(body: string, i: number, bad: (why: string) => BnError): number {
  while (body[i] === ' ') i++;
  if (i < body.length && body[i] !== ',') throw bad(`expected "," after an item, found ${quoteText(body[i]!)}`);
  return i;
}

function plainItem(text: string, bad: (why: string) => BnError): SelectItem {
  const index = (s: string) => {
    const n = Number(s);
    if (n < 1 || !Number.isSafeInteger(n)) throw bad('column indices start at 1');
    return n;
  };
  if (/^\d+$/.test(text)) return { kind: 'index', index: index(text), text };
  if (/[*?]/.test(text)) return { kind: 'glob', regex: globRegex(text), text };
  const range = /^(\d*)\s*-\s*(\d*)$/.exec(text);
  if (range && (range[1] || range[2])) {
    const from = range[1] ? index(range[1]) : 1;
    const to = range[2] ? index(range[2]) : Number.POSITIVE_INFINITY;
    if (from > to) throw bad(`empty range ${text}`);
    return { kind: 'range', from, to, text };
  }
  return { kind: 'name', name: text };
}

/**
 * A column name as an item of --select that names it: as it is where it reads as itself, else in
 * double quotes (`""` for a quote): a comma, outer spaces, a quote, a /regex/, a glob, digits or
 * a range would each read as something else.
 */
export function selectItemOf(name: string): string {
  let plain = name !== '' && name.trim() === name && !/[,"]/.test(name) && !name.startsWith('/');
  if (plain) {
    try {
      const item = plainItem(name, () => new BnError('BN_BAD_OPTION', ''));
      plain = item.kind === 'name' && item.name === name;
    } catch {
      plain = false;
    }
  }
  return plain ? name : `"${name.replaceAll('"', '""')}"`;
}

/** `p*` → /^p.*$/s: `*` any text, `?` one character, everything else itself. */
function globRegex(glob: string): RegExp {
  const source = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's');
}

/**
 * The selection for a table whose columns (so far) are `columns`: an item that is exactly a
 * column's name becomes that name.
 */
export function bindSelection(spec: SelectionSpec, columns: readonly string[]): Selection {
  const names = new Set(columns);
  const items = spec.items.map((item): SelectItem => (item.kind !== 'name' && names.has(item.text) ? { kind: 'name', name: item.text } : item));
  const explicit = (name: string, j: number) =>
    items.some((it) =>
      it.kind === 'name' ? it.name === name : it.kind === 'index' ? it.index === j + 1 : it.kind === 'range' ? it.from <= j + 1 && j + 1 <= it.to : false,
    );
  const matched = (name: string) => items.some((it) => (it.kind === 'regex' || it.kind === 'glob') && it.regex.test(name));
  return {
    role(name, j) {
      if (spec.inverted) return explicit(name, j) || matched(name) ? 'other' : 'candidate';
      return explicit(name, j) ? 'feature' : matched(name) ? 'candidate' : 'other';
    },
    check(all, label) {
      const unknown = items.flatMap((it) => {
        if (it.kind === 'name') return all.includes(it.name) ? [] : [quoteText(it.name)];
        if (it.kind === 'index') return it.index <= all.length ? [] : [String(it.index)];
        if (it.kind === 'range') return it.from <= all.length && (it.to === Number.POSITIVE_INFINITY || it.to <= all.length) ? [] : [it.text];
        return [];
      });
      // A /regex/ or a glob that matches no column picks nothing: as much a mistake as a name that
      // is none. In a ! list it leaves nothing out, which is harmless (`!/^Unnamed/` on any file).
      const pattern = (it: SelectItem): it is Extract<SelectItem, { kind: 'glob' | 'regex' }> => it.kind === 'glob' || it.kind === 'regex';
      const unmatched = spec.inverted ? [] : items.flatMap((it) => (pattern(it) && !all.some((name) => it.regex.test(name)) ? [it.text] : []));
      if (unknown.length > 0 || unmatched.length > 0) {
        const names = items.flatMap((it) => (it.kind === 'name' && !all.includes(it.name) ? [it.name] : []));
        const guess = didYouMean(names, all);
        const what = [unknown.length > 0 ? `no column ${unknown.join(', ')}` : '', unmatched.length > 0 ? `no column matches ${unmatched.join(', ')}` : ''].filter(Boolean).join('; ');
        throw new BnError('BN_UNKNOWN_COLUMN', `--select: ${what} (${guess ? `${guess} ` : ''}${describeColumns(all)})`, { file: label });
      }
    },
  };
}

/**
 * Of `names`, the columns a table will have, the ones the selection picks or may pick: as
 * features, or as candidates of a /regex/, a glob or a ! list. Asked before the names are
 * columns, so that the table can make them: those not among `columns` yet are appended after
 * them in this order, the picked ones only, which is where an index or a range finds them.
 */
export function pickedAmong(spec: SelectionSpec, columns: readonly string[], names: readonly string[]): string[] {
  const known = new Set(columns);
  const selection = bindSelection(spec, [...columns, ...names.filter((n) => !known.has(n))]);
  let next = columns.length;
  return names.filter((n) => {
    if (known.has(n)) return selection.role(n, columns.indexOf(n)) !== 'other';
    if (selection.role(n, next) === 'other') return false;
    next++;
    return true;
  });
}

/** `selection`, in which the candidates named in `names` are features whatever their values. */
export function withFeatures(selection: Selection, names: ReadonlySet<string>): Selection {
  return {
    role(name, j) {
      const role = selection.role(name, j);
      return role === 'candidate' && names.has(name) ? 'feature' : role;
    },
    check: (columns, label) => selection.check(columns, label),
  };
}

/** `3 columns: a, b, c`, cut after 20 names. */
export function describeColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 20).map((c) => quoteText(c)).join(', ');
  const more = columns.length > 20 ? `, … (${columns.length - 20} more)` : '';
  return `${columns.length} column${columns.length === 1 ? '' : 's'}: ${shown}${more}`;
}
