#!/usr/bin/env node
/** `bgbash` — entry point. Each subcommand lives in its own module, loaded on demand. */
import { ConfigError, type LoadOptions } from '../config.js';
import { UserError } from '../core/errors.js';
import { VERSION } from '../version.js';

const HELP = `bgbash ${VERSION} — background shell tasks for AI coding agents (an MCP server)

Usage:
  bgbash serve [options]            Run the MCP server on stdio (what agents start)

Options:
  --data-dir DIR         Where task records and output live (default: $XDG_STATE_HOME/bgbash)
  --config FILE          Config file (default: ./bgbash.config.json, then ~/.config/bgbash/config.json)
  --set KEY=VALUE        Set a config key, e.g. --set background.maxConcurrentTasks=4
  --session NAME         The agent session this server serves (default: the server's id);
                         undelivered notices wait in its inbox across restarts
  -h, --help             This help
  -v, --version          Print the version
`;

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  flags: Map<string, string | true>;
  load: LoadOptions;
  rest: string[];
}

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const overrides: Record<string, string> = {};
  let rest: string[] = [];
  const load: LoadOptions = { overrides };
  const needsValue = new Set(['--data-dir', '--config', '--set', '--session', '--server', '--state', '--name', '--cwd', '--timeout', '--tail', '--limit', '--http']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
      let value: string | true = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : true;
      if (value === true && needsValue.has(name)) {
        if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
        value = argv[++i];
      }
      if (name === '--set') {
        const [k, ...v] = String(value).split('=');
        if (!k || v.length === 0) throw new UsageError(`--set takes KEY=VALUE, got "${value}"`);
        overrides[k] = v.join('=');
      } else if (name === '--data-dir') overrides.dataDir = String(value);
      else if (name === '--config') load.configFile = String(value);
      else flags.set(name, value);
    } else positionals.push(arg);
  }
  return { command: positionals.shift() ?? null, positionals, flags, load, rest };
}

export class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`bgbash: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.flags.has('--version') || args.flags.has('-v')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.flags.has('--help') || args.flags.has('-h') || args.command === null || args.command === 'help') {
    process.stdout.write(HELP);
    return args.command === null && !args.flags.has('--help') && !args.flags.has('-h') ? 2 : 0;
  }
  switch (args.command) {
    case 'serve': {
      const { serve } = await import('./serve.js');
      await serve(args.load);
      return -1; // keeps running
    }
    default:
      process.stderr.write(`bgbash: unknown command "${args.command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof ConfigError || err instanceof UserError || err instanceof UsageError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    } else {
      process.stderr.write(`bgbash: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
  },
);
