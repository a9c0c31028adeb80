/**
 * Command-line parsing with node:util parseArgs, checked strictly against what
 * the command declares (command.ts): an unknown option is an error naming it,
 * with the nearest known one; `--` ends the options; config flags are
 * collected apart for loadConfig.
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import type { LoadOptions } from '../config.js';
import { GLOBAL_OPTIONS, type Options } from './options.js';
import { didYouMean } from './suggest.js';

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  /** Options given, keyed by long name with dashes ('--json'); booleans are `true`. */
  flags: Map<string, string | true>;
  load: LoadOptions;
  /** What follows `--`. */
  rest: string[];
}

/** A mistake in how the command was called: exit code 2, with a pointer to the help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super(message);
  }
}

/** Options that go to loadConfig instead of `flags`. */
const CONFIG_FLAGS: Record<string, string> = { 'data-dir': 'dataDir', session: 'session' };

type Token = NonNullable<ReturnType<typeof parseNodeArgs>['tokens']>[number];

function tokenize(argv: string[], options: Options): Token[] {
  const nodeOptions = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) }]),
  );
  return parseNodeArgs({ args: argv, options: nodeOptions, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** The command word: the first argument that is not an option (or an option's value). */
export function findCommand(argv: string[]): { command: string | null; index: number } {
  for (const t of tokenize(argv, GLOBAL_OPTIONS)) {
    if (t.kind === 'option-terminator') break;
    if (t.kind === 'positional') return { command: t.value, index: t.index };
  }
  return { command: null, index: -1 };
}

function optionNames(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/** Parses a command's arguments (the command word already removed) against its options. */
export function parseCommandArgs(command: string | null, argv: string[], options: Options, maxArgs = Infinity): ParsedArgs {
  const flags = new Map<string, string | true>();
  const overrides: Record<string, string> = {};
  const load: LoadOptions = { overrides };
  const positionals: string[] = [];
  const rest: string[] = [];
  const known = optionNames(options);
  let ended = false;
  for (const t of tokenize(argv, options)) {
    if (t.kind === 'option-terminator') {
      ended = true;
      continue;
    }
    if (t.kind === 'positional') {
      (ended ? rest : positionals).push(t.value);
      continue;
    }
    const spec = options[t.name];
    if (!spec) {
      // A one-letter option is too short to guess from.
      const near = t.rawName.startsWith('--') ? didYouMean(t.rawName, known.filter((k) => k.startsWith('--'))) : undefined;
      throw new UsageError(`unknown option ${t.rawName}${near ? ` (did you mean ${near}?)` : ''}`, command);
    }
    const shown = `--${t.name}`;
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${shown} takes no value (got "${t.value}")`, command);
      flags.set(shown, true);
      continue;
    }
    // parseArgs takes the next word as the value even when it is another option.
    if (t.value === undefined || (!t.inlineValue && known.includes(t.value))) {
      throw new UsageError(`${shown} needs a value${spec.value ? ` (${shown} ${spec.value})` : ''}`, command);
    }
    const value = t.value;
    if (t.name === 'set') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set takes KEY=VALUE, got "${value}"`, command);
      overrides[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (t.name === 'config') load.configFile = value;
    else if (t.name in CONFIG_FLAGS) overrides[CONFIG_FLAGS[t.name]] = value;
    else flags.set(shown, value);
  }
  if (positionals.length > maxArgs) {
    const extra = positionals.slice(maxArgs).map((p) => `"${p}"`).join(' ');
    throw new UsageError(`unexpected argument${positionals.length - maxArgs > 1 ? 's' : ''} ${extra}`, command);
  }
  return { command, positionals, flags, load, rest };
}
