/**
 * What bn shows a person, and only a person: colour, the progress bar, the summary line. Each is
 * decided here, once, from the Io (is the stream a terminal? the environment) and the flags
 * `--no-color`, `--no-progress`, `-q/--quiet`; nothing here ever reaches a pipe or a file.
 *
 * Colour, for one stream (the first rule that applies wins):
 *   1. `--no-color`                     → none
 *   2. FORCE_COLOR=0 or false           → none;  FORCE_COLOR=1/2/3, true or empty → on, that level
 *   3. NO_COLOR set and not empty       → none   (no-color.org)
 *   4. the stream is a terminal and TERM is not "dumb" → on (16 colours)
 *   5. otherwise                        → none
 * FORCE_COLOR wins over NO_COLOR as it does for Node itself, so `FORCE_COLOR=1 bn stats … | less -R`
 * works in a shell that exports NO_COLOR.
 */
import { Chalk, type ChalkInstance, type ColorSupportLevel } from 'chalk';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { Progress, progressDelay } from './progress.js';

export interface DisplayFlags {
  /** false with --no-color. */
  color?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
  quiet?: boolean;
}

export interface Display {
  /** Colours for standard output (the stats table). */
  out: ChalkInstance;
  /** Colours for standard error (the summary line). */
  err: ChalkInstance;
  /** Standard error is a terminal and --no-progress was not given. */
  progress: boolean;
  /** Standard error is a terminal and -q was not given: print the summary line, or the note of skipped columns. */
  summary: boolean;
  /** Standard output is a terminal: its width ($COLUMNS first, as ls does; else 80), which the stats table fits. */
  width?: number;
}

/** `--no-color`, `--no-progress`, and `-q` for the line it silences (the summary, a note). */
export function addDisplayOptions(command: Command, quiet: { what: string; shown: string }): Command {
  return command
    .option('--no-color', 'no colour, even on a terminal (default: colour on a terminal, unless NO_COLOR is set)')
    .option('--no-progress', 'no progress bar (default: a bar on standard error for work over a second, when it is a terminal)')
    .option('-q, --quiet', `no ${quiet.what} on standard error (default: ${quiet.shown})`);
}

export function resolveDisplay(flags: DisplayFlags, io: Io): Display {
  const errIsTerminal = io.stderr.isTTY === true;
  return {
    out: new Chalk({ level: colorLevel(io.stdout.isTTY === true, io.env, flags.color !== false) }),
    err: new Chalk({ level: colorLevel(errIsTerminal, io.env, flags.color !== false) }),
    progress: errIsTerminal && flags.progress !== false,
    summary: errIsTerminal && flags.quiet !== true,
    width: io.stdout.isTTY === true ? terminalWidth(io) : undefined,
  };
}

function terminalWidth(io: Io): number {
  const columns = Number(io.env.COLUMNS);
  if (Number.isSafeInteger(columns) && columns > 0) return columns;
  return io.stdout.columns !== undefined && io.stdout.columns > 0 ? io.stdout.columns : 80;
}

export function colorLevel(isTerminal: boolean, env: Io['env'], allowed = true): ColorSupportLevel {
  if (!allowed) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number(force);
    if ([0, 1, 2, 3].includes(level)) return level as ColorSupportLevel;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return isTerminal && env.TERM !== 'dumb' ? 1 : 0;
}

/**
 * A progress bar for work on `input` (absent: standard input), or undefined where none may be
 * shown: standard error is not a terminal, --no-progress, someone is typing the input at the
 * terminal, or the rows themselves go to the terminal (`rowsToStdout`: a bar would tangle with them).
 */
export function startProgress(display: Display, io: Io, label: string, { path, rowsToStdout = false }: { path?: string; rowsToStdout?: boolean }): Progress | undefined {
  if (!display.progress) return undefined;
  if (path === undefined && io.stdin.isTTY === true) return undefined;
  if (rowsToStdout && io.stdout.isTTY === true) return undefined;
  return new Progress(io.stderr, label, progressDelay(io.env));
}
