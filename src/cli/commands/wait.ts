/** `bgbash wait <id…>`: block until every task ends; exit 0 when all are done, 1 when any failed or was cancelled. */
import { ControlClient } from '../../control/client.js';
import { isTerminal, type Task } from '../../shared/task.js';
import { exitCode } from '../../shared/task-fields.js';
import { liveServers } from '../../core/live-servers.js';
import { CliError, taskArg, NO_SERVER, type Cli } from '../context.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id>... [--json]',
  description: 'Waits until every task given has ended. Exits 0 if all are done, 1 if any failed or was cancelled.',
  options: { ...JSON_OPTION },
  maxArgs: Infinity,
  examples: ['bgbash wait 12', 'bgbash wait 12 13 && npm run deploy'],
};

async function waitOne(cli: Cli, task: Task): Promise<Task> {
  if (isTerminal(task)) return task;
  const info = liveServers(cli.paths).find((s) => s.id === task.server && s.socket);
  if (!info) throw new CliError(`task ${task.id} is ${task.state}, but its server ${task.server} is not running: ${NO_SERVER}`);
  const client = await ControlClient.connect(info.socket!);
  try {
    const settled = new Promise<Task>((resolve, reject) => {
      client.onEvent((e) => {
        if (e.event === 'settled' && e.task.id === task.id) resolve(e.task);
      });
      client.onClose(() => reject(new CliError(client.closeReason ? `the server running task ${task.id} ended this wait: ${client.closeReason}` : `the server running task ${task.id} went away`)));
    });
    await client.request('subscribe', {});
    const now = await client.request('status', { id: task.id });
    return now.settled ? now.task : await settled;
  } finally {
    client.close();
  }
}

export async function run(cli: Cli): Promise<number> {
  if (cli.args.positionals.length === 0) throw new CliError('which tasks? `bgbash wait ID [ID…]`', 2);
  const tasks = cli.args.positionals.map((ref) => taskArg(cli, ref));
  const ended = await Promise.all(tasks.map((t) => waitOne(cli, t)));
  if (cli.json) cli.out(JSON.stringify(ended.map((t) => ({ id: t.id, state: t.state, exit_code: exitCode(t) })), null, 2));
  else for (const t of ended) cli.out(`${t.id} ${t.state}${isTerminal(t) && t.exit_code !== null ? ` (exit code ${t.exit_code})` : ''}`);
  return ended.every((t) => t.state === 'done') ? 0 : 1;
}
