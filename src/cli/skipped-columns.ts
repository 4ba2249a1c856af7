/**
 * The note `bn stats` prints on standard error, with the table and when standard error is a
 * terminal (`-q` silences it), about the columns it looked at and left out:
 *
 *     bn: skipped 2 non-numeric columns: name, city
 *
 * A column is listed when the default rule decided it (no --select, or a /regex/ or a `!` list
 * picked it) and its first non-missing value was not a number (with -b: in the first batch), or it
 * had no value at all. Columns that --select left out by name, index or range are not listed:
 * the user chose them.
 */
import type { DatasetStats } from '../pipeline/compute-stats.js';
import { ALL_COLUMNS, bindSelection, type SelectionSpec } from '../pipeline/select.js';

const NAMES_SHOWN = 20;

export function skippedColumns(stats: DatasetStats, select: SelectionSpec | undefined): string[] {
  const selection = select ? bindSelection(select, stats.columns) : ALL_COLUMNS;
  const features = new Set(stats.features);
  return stats.columns.filter((name, j) => !features.has(j) && selection.role(name, j) === 'candidate');
}

/** The note's line (with `bn: ` and a line end), or undefined when nothing was skipped. */
export function skippedNote(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.slice(0, NAMES_SHOWN).map(columnName).join(', ');
  const more = names.length > NAMES_SHOWN ? `, … (${names.length - NAMES_SHOWN} more)` : '';
  const what = names.length === 1 ? 'non-numeric column' : 'non-numeric columns';
  return `bn: skipped ${names.length} ${what}: ${shown}${more}\n`;
}

/** A name as it is, or in JSON quotes when it is empty, has a comma or a quote, or outer spaces. */
function columnName(name: string): string {
  return /^[^\s,"\\]([^,"\\\p{Cc}]*[^\s,"\\])?$/u.test(name) ? name : JSON.stringify(name);
}
