/**
 * "Did you mean": the name a user probably meant, among the names there are. The same name in
 * another case first (`Price` for `price`), else the nearest by edit distance, ignoring case,
 * when it is close enough to be a typing mistake (at most 2 edits, and under half the name).
 * Letters are compared in one Unicode form (NFC): `café` typed with a combining accent is the
 * `café` of a file that has it composed, a name that looks the same and is not.
 */
import { quoteText } from '../errors.js';

export function closestName(wanted: string, names: readonly string[]): string | undefined {
  const lower = wanted.normalize('NFC').toLowerCase();
  const sameLetters = names.find((n) => n.normalize('NFC').toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.ceil(wanted.length / 2) - 1);
  for (const name of names) {
    const d = editDistance(lower, name.normalize('NFC').toLowerCase(), bestDistance);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance (insert, delete, substitute, and swap two neighbours), or more than `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before = Array.from({ length: b.length + 1 }, (_, j) => j);
  let previous = before;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/** ` (did you mean "price"?)`-style words for the names of `unknown` that have a close one, or ''. */
export function didYouMean(unknown: readonly string[], names: readonly string[]): string {
  const guesses = unknown.flatMap((u) => {
    const guess = closestName(u, names);
    if (guess === undefined) return [];
    // The same letters in another Unicode form look the same on a terminal: said so.
    const form = guess.normalize('NFC') === u.normalize('NFC') ? ' (the same letters, its accents encoded differently: normalize the text to NFC)' : '';
    return [unknown.length === 1 ? `${quoteText(guess)}${form}` : `${quoteText(guess)} for ${quoteText(u)}${form}`];
  });
  return guesses.length === 0 ? '' : `did you mean ${guesses.join(', ')}?`;
}
