/** `bgbash retry <id>`: run an ended task again as a new task (on its server, or the one --server names). */
import { liveServers } from '../../store/servers.js';
import { ControlClient } from '../../control/client.js';
import { findTask, oneServer, type Cli } from '../context.js';

export async function run(cli: Cli): Promise<number> {
  const task = findTask(cli, cli.args.positionals[0]);
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
