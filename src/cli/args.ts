/** Command-line parsing: flags anywhere, `--` ends them, config flags collected apart. */
import type { LoadOptions } from '../config.js';

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  flags: Map<string, string | true>;
  load: LoadOptions;
  /** What follows `--`. */
  rest: string[];
}

export class UsageError extends Error {}

const NEEDS_VALUE = new Set(['--data-dir', '--config', '--set', '--session', '--server', '--state', '--name', '--cwd', '--timeout', '--tail', '--limit', '--http']);
const SHORT: Record<string, string> = { '-f': '--follow', '-h': '--help', '-v': '--version', '-n': '--name' };

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const overrides: Record<string, string> = {};
  let rest: string[] = [];
  const load: LoadOptions = { overrides };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    name = SHORT[name] ?? name;
    let value: string | true = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : true;
    if (value === true && NEEDS_VALUE.has(name)) {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      value = argv[++i];
    }
    if (name === '--set') {
      const [k, ...v] = String(value).split('=');
      if (!k || v.length === 0) throw new UsageError(`--set takes KEY=VALUE, got "${value}"`);
      overrides[k] = v.join('=');
    } else if (name === '--data-dir') overrides.dataDir = String(value);
    else if (name === '--session') overrides.session = String(value);
    else if (name === '--config') load.configFile = String(value);
    else flags.set(name, value);
  }
  return { command: positionals.shift() ?? null, positionals, flags, load, rest };
}
