/** "Did you mean …?" for a mistyped command or option, by edit distance. */
import leven from 'leven';

const letters = (s: string): string => [...s].sort().join('');

/**
 * The closest candidate a typo explains — within 1 edit for words up to 3
 * letters, 2 for longer ones, or one that starts with what was typed (3+
 * letters) — or nothing. Swapped letters (`lsit`) are 2 edits for Levenshtein
 * but one slip of the fingers, so a candidate with the same letters wins a tie.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 3 ? 1 : 2;
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const d = leven(word, name, { maxDistance: limit + 1 });
    if (d > limit) continue;
    const score = letters(word) === letters(name) ? d - 0.5 : d;
    if (!best || score < best.score) best = { name, score };
  }
  if (best) return best.name;
  return word.length >= 3 ? candidates.find((c) => c.startsWith(word)) : undefined;
}
