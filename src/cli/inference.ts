/**
 * Inference mode for the CLI: `bn normalize --stats S` and `bn denormalize --stats S` differ only
 * in the direction of the transform. One pass, no spool: rows stream from input to output.
 */
import { BnError } from '../errors.js';
import { checkReadable } from '../io/input.js';
import { infer, type Direction } from '../pipeline/inference.js';
import { openReader, openWriter } from '../pipeline/read-input.js';
import { resolveDisplay, startProgress, type DisplayFlags } from './display.js';
import { settleFormat, type InputFlags, type ResolvedInput } from './input-options.js';
import type { Io } from './io.js';
import { resolveInferenceOverrides, type ModelFlags } from './model-options.js';
import { fileBytes } from './progress.js';
import { readStatsArgument } from './stats-input.js';
import { summaryLine } from './summary.js';
import { checkTableOutput, openTableOutput, type TableOutputFlags } from './table-output.js';
import { noteDelimiter } from './delimiter-note.js';

/** --line-buffered, for the help of both commands. */
export const LINE_BUFFERED_HELP =
  'write each row as soon as its line is read, not once a buffer fills: for a live stream (tail -f live.csv | bn normalize --stats s.json); one thread (default: on when the rows go to a terminal)';

export async function runInference(
  direction: Direction,
  resolved: ResolvedInput,
  flags: InputFlags & ModelFlags & TableOutputFlags & DisplayFlags & { exact?: boolean; lineBuffered?: boolean },
  statsPath: string,
  io: Io,
): Promise<void> {
  const started = performance.now();
  const display = resolveDisplay(flags, io);
  const overrides = resolveInferenceOverrides(flags);
  checkTableOutput(flags);
  const { loaded, label: statsLabel } = await readStatsArgument(statsPath, io.stdin, '--stats', resolved.spec.path === undefined);
  await checkReadable(resolved.spec);
  const progress = startProgress(display, io, direction, { path: resolved.spec.path, rowsToStdout: flags.output === undefined });
  let output: Awaited<ReturnType<typeof openTableOutput>> | undefined;
  let rows: number;
  try {
    progress?.expectBytes(await fileBytes(resolved.spec.path));
    const settled = await settleFormat(resolved, io.stdin);
    const { stdin } = settled;
    // Rows to a terminal are written as they come, as grep and sed do; one thread reads them then.
    const lineBuffered = flags.lineBuffered ?? (flags.output === undefined && io.stdout.isTTY === true);
    const input = lineBuffered ? { ...settled.input, jobs: 1 } : settled.input;
    noteDelimiter(input, display, io);
    output = await openTableOutput(input, flags, io);
    const options = { direction, isMissing: input.isMissing, select: input.select, stats: loaded.stats, statsLabel, exact: flags.exact, lineBuffered, ...overrides };
    const reader = openReader(input, stdin, { counter: progress?.counter, eager: lineBuffered });
    try {
      rows = await infer(reader.read, openWriter(reader, output), options);
    } catch (err) {
      // A split job's mapper that gets no bytes (GNU parallel --pipepart starts such jobs): with
      // --no-output-header it is one shard of many, and its part of the output is empty.
      if (!(flags.outputHeader === false && err instanceof BnError && err.code === 'BN_EMPTY_INPUT')) throw err;
      rows = 0;
    }
    await output.commit();
  } finally {
    progress?.stop();
    await output?.abort();
  }
  if (display.summary) {
    const what = { mode: direction, rows, features: loaded.stats.runningMean.length, statsFrom: statsLabel };
    io.stderr.write(summaryLine(what, flags.output, performance.now() - started, display.err));
  }
}
