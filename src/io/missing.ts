/** Missing values (SPEC §2): left out of every statistic and written back unchanged. */

// Frozen: every reader without --na-values shares it, and a program that pushed onto it would change theirs.
export const DEFAULT_NA_VALUES: readonly string[] = Object.freeze(['', 'NA', 'N/A', 'NaN', 'nan', 'null']);

/**
 * A predicate for missing cells. The empty cell is always missing: a CSV cannot say "no value"
 * any other way, and `--na-values` replaces the named markers, not the empty cell.
 */
export function missingTest(naValues: readonly string[] = DEFAULT_NA_VALUES): (text: string) => boolean {
  const set = new Set(naValues);
  set.add('');
  // Trim only a cell that has space at an end: most cells have none, and trim() is per cell.
  return (text) => set.has(text) || (hasEdgeSpace(text) && set.has(text.trim()));
}

function hasEdgeSpace(text: string): boolean {
  return text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)));
}

/** Could be white space that trim() removes (a cheap filter: trim() itself decides). */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0xfeff || code > 0x1fff;
}
