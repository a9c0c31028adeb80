/** `bgbash retry <id>`: run an ended task again as a new task (on its server, or the one --server names). */
import { liveServers } from '../../core/live-servers.js';
import { ControlClient } from '../../control/client.js';
import { taskArg, oneServer, type Cli } from '../context.js';
import { JSON_OPTION, SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [--server ID] [--json]',
  description: 'Runs an ended task again as a new task (same command, origin and session; retry_of set), on the server that ran it.',
  options: { ...SERVER_OPTION, ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash retry 12'],
};

export async function run(cli: Cli): Promise<number> {
  const task = taskArg(cli, cli.args.positionals[0]);
  const own = cli.args.flags.has('--server') ? undefined : liveServers(cli.paths).find((s) => s.id === task.server && s.socket);
  const client = own ? await ControlClient.connect(own.socket!) : (await oneServer(cli)).client;
  try {
    const { task: t } = await client.request('retry', { id: task.id });
    cli.out(cli.json ? JSON.stringify(t, null, 2) : `Retried: ${t.id}`);
    return 0;
  } finally {
    client.close();
  }
}
