/** Missing values (SPEC §2): left out of every statistic and written back unchanged. */

export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null'];

/**
 * A predicate for missing cells. The empty cell is always missing: a CSV cannot say "no value"
 * any other way, and `--na-values` replaces the named markers, not the empty cell.
 */
export function missingTest(naValues: readonly string[] = DEFAULT_NA_VALUES): (text: string) => boolean {
  const set = new Set(naValues);
  set.add('');
  return (text) => set.has(text) || set.has(text.trim());
}
