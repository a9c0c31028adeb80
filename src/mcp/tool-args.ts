/**
 * Arguments a tool does not take are refused, not dropped: zod strips unknown
 * keys, so `backgroud: true` (or an argument a newer bgbash takes) ran the
 * command in the foreground and the model never learned why. The known names
 * come from the tool's own input shape, so an argument added to a tool is
 * accepted with no change here.
 */
import leven from 'leven';

/** The error for arguments `tool` does not take, or null when it takes them all. */
export function unknownArgumentsError(tool: string, args: unknown, known: readonly string[]): string | null {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return null;
  const unknown = Object.keys(args).filter((k) => !known.includes(k));
  if (unknown.length === 0) return null;
  const distance = (name: string): number => Math.min(...unknown.map((u) => leven(u.toLowerCase(), name.toLowerCase())));
  const nearest = [...known].sort((a, b) => distance(a) - distance(b) || a.localeCompare(b));
  const named = unknown.map((u) => `"${u.slice(0, 100)}"`).join(', ');
  const guess = unknown.length === 1 ? closeTo(unknown[0], nearest[0]) : undefined;
  return (
    `${tool} has no argument${unknown.length === 1 ? '' : 's'} ${named}${guess ? ` (did you mean "${guess}"?)` : ''}. ` +
    `Its arguments, nearest first: ${nearest.join(', ')}. Fix the call and send it again.`
  );
}

/** The candidate when it is near enough to be a slip: within 2 edits, or 1 for short names. */
function closeTo(word: string, candidate: string | undefined): string | undefined {
  if (candidate === undefined) return undefined;
  const limit = word.length <= 3 ? 1 : 2;
  return leven(word.toLowerCase(), candidate.toLowerCase()) <= limit ? candidate : undefined;
}
