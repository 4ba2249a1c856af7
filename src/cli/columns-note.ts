/**
 * What `bn stats` and `bn normalize` tell a person at a terminal about the columns they chose
 * (standard error, `-q` silences it), before the table or the summary line:
 *
 *     bn: 3 features: temp, humidity, wind; skipped 1 non-numeric column: station
 *     bn: "id" looks like a row number (consecutive integers, each once): --select '!id' leaves it out
 *
 * The second line is a hint only: the default rule (every numeric column) stands. A feature looks
 * like a row number when its values are n consecutive integers, each once, in every row: its min
 * is an integer, max − min = n − 1, and its variance is that of 1…n, (n² − 1)/12.
 */
import type { DatasetStats } from '../pipeline/compute-stats.js';
import { selectItemOf, type SelectionSpec } from '../pipeline/select.js';
import { namesList, skippedColumns } from './skipped-columns.js';
import { plural } from './text-table.js';

/** Rows below which a short run of integers says nothing. */
const ID_MIN_ROWS = 5;

export function columnsNote(stats: DatasetStats, select: SelectionSpec | undefined): string {
  const features = stats.features.map((j) => stats.columns[j]!);
  const skipped = skippedColumns(stats, select);
  const what = skipped.length === 1 ? 'non-numeric column' : 'non-numeric columns';
  const first = `bn: ${plural(features.length, 'feature')}: ${namesList(features)}${skipped.length > 0 ? `; skipped ${skipped.length} ${what}: ${namesList(skipped)}` : ''}`;
  // Only when the features were not chosen by name: then the user has already said what they want.
  const ids = select === undefined ? stats.features.filter((j) => looksLikeRowNumber(stats, j)).map((j) => stats.columns[j]!) : [];
  const hint = ids.map((name) => `bn: ${JSON.stringify(name)} looks like a row number (consecutive integers, each once): --select ${shellWord(`!${selectItemOf(name)}`)} leaves it out`);
  return `${[first, ...hint].join('\n')}\n`;
}

/** `text` as one word of a POSIX shell: in single quotes, a quote in it as '\''. */
function shellWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

export function looksLikeRowNumber(stats: DatasetStats, j: number): boolean {
  const m = stats.total;
  const n = m.count(j);
  if (n < ID_MIN_ROWS || n !== stats.rows) return false;
  const [min, max, variance] = [m.min(j), m.max(j), m.variance(j)];
  const expected = (n * n - 1) / 12;
  return Number.isInteger(min) && max - min === n - 1 && Math.abs(variance - expected) <= 1e-9 * expected;
}


