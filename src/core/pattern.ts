/**
 * The regexes agents send (`grep`, `until`, `notify_on`) are matched by
 * re2js, a linear-time engine: a pattern like `^(a+)+$` that backtracks for
 * minutes in JavaScript's own engine costs time in proportion to the line
 * here, so one call cannot freeze the server for every other. RE2 syntax is
 * JavaScript's minus lookaround and backreferences — what makes a regex
 * exponential.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { UserError } from '../shared/errors.js';

let engine: typeof RE2JS | null = null;
/** Loaded on the first pattern, not at start: it is ~300 KB that `bgbash serve` would otherwise parse before its first answer. */
function re2(): typeof RE2JS {
  engine ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return engine;
}

/** Longer patterns are refused: their cost is in proportion to their size, per line. */
export const MAX_PATTERN_LENGTH = 1000;
/** Compiled size cap: a short pattern with large counts (`(a*){500}`) compiles to a big program. */
const MAX_PROGRAM_SIZE = 10_000;

export interface Pattern {
  readonly source: string;
  /** Whether the pattern matches somewhere in the line. */
  test(line: string): boolean;
  /** `/source/`, as a regex is shown in messages. */
  toString(): string;
}

/** Compiles an agent's regex, or says which parameter is wrong and why. */
export function compileRegex(source: string, field: string): Pattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new UserError(`${field}: the regular expression is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}. Use a shorter pattern`, field);
  }
  let re: RE2JS;
  try {
    re = re2().compile(source);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /Perl syntax|backreference|\\[1-9]/.test(why) ? ' (lookahead, lookbehind and backreferences are not supported: matching runs in linear time)' : '';
    throw new UserError(`${field}: invalid regular expression ${JSON.stringify(source)}: ${why}${hint}`, field);
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) {
    throw new UserError(`${field}: the regular expression ${JSON.stringify(source.slice(0, 80))} is too complex (its repetition counts expand it too far); simplify it`, field);
  }
  return {
    source,
    test: (line) => re.test(line),
    toString: () => `/${source}/`,
  };
}
