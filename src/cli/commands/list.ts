/** `bgbash list`: every task of every server sharing the data dir, newest first. */
import type { Task } from '../../shared/task.js';
import { currentTasks as tasksOf } from '../../control/discovery.js';
import { servers, type Cli, CliError } from '../context.js';
import { taskTable } from '../format.js';
import { JSON_OPTION, SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[--state S[,S…]] [--limit N | --all] [--json]',
  description: 'Tasks of every server sharing the data dir, newest first: ID, status, command, started, duration\n(and the server, when several). Works with no server running: it reads the records on disk.',
  options: {
    state: { type: 'string', value: 'S[,S…]', help: 'Only tasks in these states (pending, running, done, failed, cancelled)' },
    limit: { type: 'string', value: 'N', help: 'Show at most N tasks (default 20)' },
    all: { type: 'boolean', help: 'Show every task' },
    ...SERVER_OPTION,
    ...JSON_OPTION,
  },
  maxArgs: 0,
  examples: ['bgbash list', 'bgbash list --state running,pending', 'bgbash list --all --json'],
};

const STATES = ['pending', 'running', 'done', 'failed', 'cancelled'];

/** Records on disk, with live servers' fresher copies (output counters) over them. */
export async function currentTasks(cli: Cli): Promise<Task[]> {
  return tasksOf(cli.paths, cli.badRecord, await servers(cli).catch(() => []));
}

export async function run(cli: Cli): Promise<number> {
  const state = cli.args.flags.get('--state');
  const wanted = typeof state === 'string' ? state.split(',') : null;
  for (const s of wanted ?? []) if (!STATES.includes(s)) throw new CliError(`--state: "${s}" is not one of ${STATES.join(', ')}`, 2);
  let tasks = await currentTasks(cli);
  const server = cli.args.flags.get('--server');
  if (typeof server === 'string') tasks = tasks.filter((t) => t.server.startsWith(server));
  if (wanted) tasks = tasks.filter((t) => wanted.includes(t.state));
  const limit = cli.args.flags.has('--all') ? Infinity : Number(cli.args.flags.get('--limit') ?? 20);
  const shown = tasks.slice(0, limit);
  if (cli.json) return cli.out(JSON.stringify(shown, null, 2)), 0;
  if (shown.length === 0) return cli.out(wanted ? `No ${wanted.join('/')} tasks.` : 'No tasks.'), 0;
  cli.out(taskTable(shown));
  if (tasks.length > shown.length) cli.out(`(${tasks.length - shown.length} older tasks not shown; --all shows them)`);
  return 0;
}
