/**
 * Inference mode for the CLI: `bn normalize --stats S` and `bn denormalize --stats S` differ only
 * in the direction of the transform. One pass, no spool: rows stream from input to output.
 */
import { checkReadable } from '../io/input.js';
import { transformWithStats, type Direction } from '../pipeline/inference.js';
import { readStatsFile } from '../stats-file.js';
import { openTable, settleFormat, type InputFlags, type ResolvedInput } from './input-options.js';
import type { Io } from './io.js';
import { resolveInferenceOverrides, type ModelFlags } from './model-options.js';
import { checkTableOutput, openTableOutput, type TableOutputFlags } from './table-output.js';

export async function runInference(
  direction: Direction,
  resolved: ResolvedInput,
  flags: InputFlags & ModelFlags & TableOutputFlags,
  statsPath: string,
  io: Io,
): Promise<void> {
  const overrides = resolveInferenceOverrides(flags);
  checkTableOutput(flags);
  const loaded = await readStatsFile(statsPath);
  await checkReadable(resolved.spec);
  const { input, stdin } = await settleFormat(resolved, io.stdin);
  const output = await openTableOutput(input, flags, io);
  try {
    await transformWithStats(openTable(input, stdin), output.sink, {
      direction,
      isMissing: input.isMissing,
      select: input.select,
      stats: loaded.stats,
      statsLabel: statsPath,
      ...overrides,
    });
    await output.commit();
  } finally {
    await output.abort();
  }
}
