/**
 * The columns `bn stats` and `bn normalize` looked at and left out, for the note of
 * columns-note.ts. A column is listed when the default rule decided it (no --select, or a /regex/ or a `!` list
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

/** "name, city", cut after 20 names: "a, b, … (5 more)". */
export function namesList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).map(columnName).join(', ');
  return names.length > NAMES_SHOWN ? `${shown}, … (${names.length - NAMES_SHOWN} more)` : shown;
}

/** A name as it is, or in JSON quotes when it is empty, has a comma or a quote, or outer spaces. */
export function columnName(name: string): string {
  return /^[^\s,"\\]([^,"\\\p{Cc}]*[^\s,"\\])?$/u.test(name) ? name : JSON.stringify(name);
}
