#!/usr/bin/env node
/** `bgbash` — entry point. Each subcommand lives in its own module, loaded on demand. */
import { ConfigError } from '../config.js';
import { ControlError } from '../control/client.js';
import { UserError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { parseArgs, UsageError, type ParsedArgs } from './args.js';
import { CliError, makeCli } from './context.js';

const HELP = `bgbash ${VERSION} — background shell tasks for AI coding agents (an MCP server)

Usage:
  bgbash serve [--session NAME]     Run the MCP server on stdio (what agents start)
  bgbash serve --http [HOST:]PORT   ... on Streamable HTTP instead (127.0.0.1 unless HOST says otherwise;
                                    clients send "Authorization: Bearer <token>", token file printed at start)
  bgbash list [--state S] [--all]   Tasks of every server, newest first: ID, status, command, started, duration
  bgbash status <id>                One task in full
  bgbash output <id> [-f] [--raw]   Its output (cleaned; --raw as written); -f follows it to the end
  bgbash result <id>                What a finished task printed; exits with the task's exit code
  bgbash wait <id>...               Wait for tasks to end; exit 0 if all are done, 1 if any failed
  bgbash cancel <id>                Cancel a pending or running task (ends its whole process tree)
  bgbash retry <id>                 Run an ended task again as a new task
  bgbash run [--name N] -- <cmd>    Submit a background task from the terminal
  bgbash attach [id]                Watch a task's terminal live and type into it;
                                    Ctrl+B detaches the agent's foreground run, Ctrl+] leaves
  bgbash detach [id]                Detach the agent's foreground run (for a tmux/terminal key binding)
  bgbash tasks                      The Tasks page: Up/k Down/j move, Enter details, Esc back,
                                    c cancel, r retry, q quit
  bgbash strip [--once]             The one-line task strip (--once: print it once, e.g. for tmux)
  bgbash install <agent> [--project|--user] [--dry-run]
                                    Add bgbash to an agent's config (claude-code, opencode, codex,
                                    gemini-cli, cursor, vscode); never clobbers existing entries
  bgbash notify-test <target>       Send a sample completion notice to a deliver_to target (slack:URL,
                                    discord:URL, telegram:CHAT_ID, ntfy:TOPIC_URL, webhook:URL, …)
                                    and print the service's answer
  bgbash hook <agent>               Hook command for claude-code / gemini-cli: reads the hook's JSON
                                    on stdin, prints pending completion notices as the agent's JSON

Ids: a task's number ("12" or "#12"); any unique prefix works.
Several servers may run at once (one per agent session): the CLI sees them all;
--server ID picks one. Unlike the seed's \`lango bg\`, list, status, output and
result also work with no server running: they read the records on disk.
cancel, retry, run, attach and detach need a running server.

Options:
  --json                 Machine-readable output (read commands)
  --server ID            Talk to this server only
  --data-dir DIR         Where task records and output live (default: $XDG_STATE_HOME/bgbash)
  --config FILE          Config file (default: ./bgbash.config.json, then ~/.config/bgbash/config.json)
  --set KEY=VALUE        Set a config key, e.g. --set background.maxConcurrentTasks=4
  --session NAME         serve: the agent session this server serves (default: the server's id);
                         undelivered notices wait in its inbox across restarts
  -h, --help             This help
  -v, --version          Print the version
Exit codes: 0 ok, 1 task failed / not found / no server, 2 usage. NO_COLOR turns colours off.
`;

type CommandModule = { run(cli: ReturnType<typeof makeCli>): Promise<number> };
/** Each subcommand's module, loaded on use (spelled out so the bundler sees every one). */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  list: () => import('./commands/list.js'),
  status: () => import('./commands/status.js'),
  output: () => import('./commands/output.js'),
  result: () => import('./commands/result.js'),
  wait: () => import('./commands/wait.js'),
  cancel: () => import('./commands/cancel.js'),
  retry: () => import('./commands/retry.js'),
  run: () => import('./commands/run.js'),
  attach: () => import('./commands/attach.js'),
  detach: () => import('./commands/detach.js'),
  tasks: () => import('./commands/tasks.js'),
  strip: () => import('./commands/strip.js'),
  hook: () => import('./commands/hook.js'),
  install: () => import('./commands/install.js'),
  'notify-test': () => import('./commands/notify-test.js'),
};

async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`bgbash: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.flags.has('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.flags.has('--help') || args.command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.command === null) {
    process.stderr.write(HELP);
    return 2;
  }
  if (args.command === 'serve') {
    const { serve } = await import('./serve.js');
    const http = args.flags.get('--http');
    if (http === true) throw new UsageError('--http needs [host:]port');
    await serve({ ...args.load, http: typeof http === 'string' ? http : undefined });
    return -1; // keeps running
  }
  const load = Object.hasOwn(COMMANDS, args.command) ? COMMANDS[args.command] : undefined;
  if (!load) {
    process.stderr.write(`bgbash: unknown command "${args.command}" (bgbash --help lists them)\n`);
    return 2;
  }
  const cli = makeCli(args);
  if (args.command !== 'hook' && args.command !== 'install' && args.command !== 'notify-test') {
    const { repairDeadServers } = await import('./repair.js');
    await repairDeadServers(cli).catch(() => undefined);
  }
  return (await load()).run(cli);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof CliError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof UsageError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError || err instanceof UserError || err instanceof ControlError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`bgbash: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
  },
);
