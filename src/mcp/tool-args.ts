/**
 * Arguments a tool does not take are refused, not dropped: zod strips unknown
 * keys, so `backgroud: true` (or an argument a newer bgbash takes) ran the
 * command in the foreground and the model never learned why. The known names
 * come from the tool's own input shape, so an argument added to a tool is
 * accepted with no change here.
 */
import leven from 'leven';
import { oneLine } from '../shared/printable.js';

/** The error for arguments `tool` does not take, or null when it takes them all. */
export function unknownArgumentsError(tool: string, args: unknown, known: readonly string[]): string | null {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return null;
  const unknown = Object.keys(args).filter((k) => !known.includes(k));
  if (unknown.length === 0) return null;
  // Distances on at most 20 names of at most 100 characters, each once: a 4 MB key must not hold every call.
  const probes = unknown.slice(0, 20).map((u) => u.slice(0, 100).toLowerCase());
  const distance = new Map(known.map((name) => [name, Math.min(...probes.map((u) => leven(u, name.toLowerCase())))]));
  const nearest = [...known].sort((a, b) => distance.get(a)! - distance.get(b)! || a.localeCompare(b));
  const named = unknown.slice(0, 20).map((u) => JSON.stringify(oneLine(u, 100))).join(', ') + (unknown.length > 20 ? ` and ${unknown.length - 20} more` : '');
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
  return word.length <= 100 && leven(word.toLowerCase(), candidate.toLowerCase()) <= limit ? candidate : undefined;
}
