/** `bgbash run [--name N] -- <command>`: submit a background task from the terminal (origin "cli"). */
import { parseDuration } from '../../shared/units.js';
import { printable } from '../../shared/printable.js';
import { CliError, oneServer, type Cli } from '../context.js';
import { JSON_OPTION, SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[--name N] [--cwd DIR] [--timeout T] [--no-pty] -- <command>',
  description: 'Submits a background task from the terminal (origin "cli") to a running server and prints its id.\nEverything after -- is the command, passed to bash -c.',
  options: {
    name: { type: 'string', short: 'n', value: 'N', help: 'A name to show instead of the command' },
    cwd: { type: 'string', value: 'DIR', help: 'Working directory (default: this one)' },
    timeout: { type: 'string', value: 'T', help: 'End it after this long, e.g. 90s, 10m (default: background.taskTimeout)' },
    'no-pty': { type: 'boolean', help: 'Run over pipes (stdout and stderr apart) instead of a terminal' },
    ...SERVER_OPTION,
    ...JSON_OPTION,
  },
  maxArgs: Infinity,
  examples: ['bgbash run -- npm test', "bgbash run --name build --timeout 10m -- 'make -j4 && make check'"],
};

export async function run(cli: Cli): Promise<number> {
  const words = cli.args.rest.length ? cli.args.rest : cli.args.positionals;
  if (words.length === 0) throw new CliError('what to run? `bgbash run [--name NAME] -- COMMAND`', 2);
  const name = cli.args.flags.get('--name');
  const timeout = cli.args.flags.get('--timeout');
  const timeout_ms = typeof timeout === 'string' ? (parseDuration(timeout) ?? undefined) : undefined;
  if (typeof timeout === 'string' && timeout_ms === undefined) throw new CliError(`--timeout: "${timeout}" is not a duration`, 2);
  const { client } = await oneServer(cli);
  try {
    const { task } = await client.request('run', {
      command: words.join(' '),
      name: typeof name === 'string' ? name : undefined,
      cwd: typeof cli.args.flags.get('--cwd') === 'string' ? String(cli.args.flags.get('--cwd')) : process.cwd(),
      timeout_ms,
      pty: !cli.args.flags.has('--no-pty'),
    });
    cli.out(cli.json ? JSON.stringify(task, null, 2) : `Task ${task.id} ${task.state}: ${printable(task.command ?? '')}`);
    return 0;
  } finally {
    client.close();
  }
}
