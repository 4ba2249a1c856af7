/**
 * The one error class of bn. Every failure a user can cause travels as a BnError with a stable
 * `code`, the process exit status it maps to (SPEC §6: 1 bad data or files, 2 bad usage), and
 * where it happened. The CLI prints `bn: <where>: <message>` and nothing else.
 */

export type ExitCode = 1 | 2;

export interface ErrorLocation {
  /** File name as the user gave it, or "<stdin>". */
  file?: string;
  /** 1-based line of the input (CSV/TSV/NDJSON). */
  line?: number;
  /** 1-based field position within the record. */
  column?: number;
  /** Column (feature) name. */
  name?: string;
  /** 0-based record index in a JSON array. */
  record?: number;
}

export type ErrorCode =
  // usage (exit 2)
  | 'BN_USAGE'
  | 'BN_BAD_OPTION'
  | 'BN_UNKNOWN_COLUMN'
  // data and files (exit 1)
  | 'BN_NOT_A_NUMBER'
  | 'BN_NOT_FINITE'
  | 'BN_RAGGED_ROW'
  | 'BN_MALFORMED_CSV'
  | 'BN_MALFORMED_JSON'
  | 'BN_BAD_RECORD'
  | 'BN_CORRUPT_FILE'
  | 'BN_EMPTY_INPUT'
  | 'BN_NO_FEATURES'
  | 'BN_EMPTY_COLUMN'
  | 'BN_LATE_COLUMN'
  | 'BN_DUPLICATE_COLUMN'
  | 'BN_TOO_FEW_VALUES'
  | 'BN_OVERFLOW'
  | 'BN_READ_FAILED'
  | 'BN_NOT_UTF8'
  | 'BN_WRITE_FAILED'
  | 'BN_BAD_STATS_FILE'
  | 'BN_FEATURE_MISMATCH'
  | 'BN_STATS_MISMATCH';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['BN_USAGE', 'BN_BAD_OPTION', 'BN_UNKNOWN_COLUMN']);

export class BnError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}) {
    super(message);
    this.name = 'BnError';
    this.code = code;
    this.exitCode = USAGE_CODES.has(code) ? 2 : 1;
    this.location = location;
  }

  /** The one line the CLI prints, without the `bn: ` prefix. */
  describe(): string {
    const where = formatLocation(this.location);
    return where ? `${where}: ${this.message}` : this.message;
  }
}

/** `data.csv:2434:8 (column "weight")`, `data.json[17] (column "w")`, `column "w"`. */
export function formatLocation(loc: ErrorLocation): string {
  let where = '';
  if (loc.file !== undefined) {
    where = loc.file;
    if (loc.record !== undefined) where += `[${loc.record}]`;
    else if (loc.line !== undefined) where += `:${loc.line}` + (loc.column !== undefined ? `:${loc.column}` : '');
  } else if (loc.record !== undefined) {
    where = `record ${loc.record}`;
  } else if (loc.line !== undefined) {
    where = `line ${loc.line}`;
  }
  if (loc.name !== undefined) where += where ? ` (column ${quoteText(loc.name)})` : `column ${quoteText(loc.name)}`;
  return where;
}

/** Show a user's value in a message: a string quoted, any other JSON value as JSON; cut when huge. */
export function quoteValue(value: unknown, max = 40): string {
  if (typeof value !== 'string') {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }
  return quoteText(value.length > max ? `${value.slice(0, max)}…` : value);
}

/**
 * A text in double quotes, as JSON writes it, with every control character escaped: JSON leaves
 * DEL, the C1 controls and the line and paragraph separators raw, and a raw form feed or NUL in
 * a message garbles the terminal or the log it lands in. So are the characters that show as
 * nothing or as a plain space (a BOM, a zero-width space, a bidirectional mark, a no-break
 * space): `no column "x"` listing `"\ufeffx"` would look like the name asked for. Other
 * characters show as themselves.
 */
export function quoteText(text: string): string {
  return escapeInvisible(JSON.stringify(text));
}

/**
 * `text` with what quoteText escapes escaped, unquoted (a name in a table's cell): the C0
 * controls as JSON writes them (`\t`, `\n`, `\u0000`), and the characters INVISIBLE names.
 */
export function escapeUnprintable(text: string): string {
  return escapeInvisible(text.replace(/[\x00-\x1f]/g, (c) => JSON.stringify(c).slice(1, -1)));
}

function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => [...c].map(escapeUnits).join(''));
}

/**
 * DEL and the C1 controls, the line and paragraph separators, the format characters that show as
 * nothing (a soft hyphen, zero-width and word-joiner spaces, bidirectional marks and controls, a
 * BOM), and spaces other than U+0020. Not the zero-width joiner and non-joiner, which Persian,
 * Urdu and Indic names and emoji sequences hold as letters do.
 */
const INVISIBLE = /[\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|(?! )\p{Zs}/gu;

/** `\uXXXX` for each UTF-16 unit of a character (two for one beyond the BMP), as JSON writes them. */
function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** A short, human reason for a file-system error (without Node's text, which names temporary files). */
export function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ENOSPC': return 'no space left on device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EFBIG': return 'file too large';
    case 'EROFS': return 'read-only file system';
    case 'EIO': return 'input/output error (the disk or the file system failed)';
    case 'ELOOP': return 'too many levels of symbolic links';
    // open(2) of a socket, or of a device whose driver is not there.
    case 'ENXIO': return 'no such device or address (a socket cannot be opened as a file)';
    default: return err.message;
  }
}

/**
 * Column names for a message, quoted: the first `shown`, then how many more (a file of 80,000
 * features would otherwise make a line of most of a megabyte); "none" for none.
 */
export function quoteNames(names: readonly string[], shown = 10): string {
  if (names.length === 0) return 'none';
  const listed = names.slice(0, shown).map(quoteText).join(', ');
  return names.length > shown ? `${listed} and ${names.length - shown} more` : listed;
}

/** A failed write or create of an output (a file, or "<stdout>") as a BnError. */
export function writeFailed(file: string, err: unknown): BnError {
  const e = err as NodeJS.ErrnoException;
  return new BnError('BN_WRITE_FAILED', `cannot write: ${e.code === 'ENOENT' ? 'no such directory' : describeErrno(e)}`, { file });
}

/** A file that ended before the size it had when it was opened (the fast path checks it too). */
export function fileCut(label: string, read: number, size: number): BnError {
  return new BnError('BN_READ_FAILED', `the file was cut while it was read: it ended after ${read} of its ${size} bytes`, { file: label });
}

/** The reader of standard output went away (`bn … | head`): EPIPE, or Node's error for a stream already closed. */
export function isClosedPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/** A read error of the input stream (EISDIR, EACCES, EIO…) as a BnError; anything else unchanged. */
export function readError(err: unknown, label: string): unknown {
  if (err instanceof BnError) return err;
  // A write's error met on the way (a pass writes as it reads): the reader of the output left,
  // which is no failure of this input (the CLI ends quietly on it).
  if (isClosedPipe(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code ? new BnError('BN_READ_FAILED', `cannot read: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: label }) : err;
}
