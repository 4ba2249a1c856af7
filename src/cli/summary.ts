/**
 * The one line `normalize` and `denormalize` print on standard error when it is a terminal
 * (never into a pipe or a file; `-q` silences it), after the rows:
 *
 *     bn: normalized 10 rows, 2 features, 1 batch → train.norm.csv · stats saved to s.json · 12 ms
 *     bn: normalized 10 rows, 2 features, 1 batch → standard output · 9 ms
 *     bn: normalized 10 rows, 2 features with the stats of s.json → standard output · 8 ms
 *     bn: denormalized 10 rows, 2 features with the stats of s.json → out.csv · 8 ms
 */
import type { ChalkInstance } from 'chalk';
import { formatDuration } from './progress.js';
import { plural } from './text-table.js';

export type SummaryOf =
  | { mode: 'training'; rows: number; features: number; batches: number; savedTo?: string }
  | { mode: 'normalize' | 'denormalize'; rows: number; features: number; statsFrom: string };

export function summaryLine(what: SummaryOf, output: string | undefined, elapsedMs: number, color: ChalkInstance): string {
  const counts = `${plural(what.rows, 'row')}, ${plural(what.features, 'feature')}`;
  const where = `→ ${output ?? 'standard output'}`;
  const time = formatDuration(elapsedMs);
  const parts =
    what.mode === 'training'
      ? [`normalized ${counts}, ${plural(what.batches, 'batch', 'batches')} ${where}`, savedStats(what.savedTo, output), time]
      : [`${what.mode}d ${counts} with the stats of ${what.statsFrom} ${where}`, time];
  return `${color.dim(`bn: ${parts.filter((p) => p !== undefined).join(' · ')}`)}\n`;
}

/**
 * Where the stats went. Not saving them is worth a word only when the rows went to a file (-o):
 * a fit, whose statistics inference will want; normalizing to look at, or into a pipe, is not.
 */
function savedStats(target: string | undefined, output: string | undefined): string | undefined {
  if (target === undefined) return output === undefined ? undefined : 'stats not saved (--save-stats FILE saves them)';
  return target === '-' ? 'stats written to standard output' : `stats saved to ${target}`;
}
