/** `bgbash cancel <id>`: ask the owning server to cancel a task (and end its process tree). */
import { taskArg, ownerOf, type Cli } from '../context.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [--json]',
  description: 'Cancels a pending or running task: its whole process tree gets SIGTERM, then SIGKILL after a grace. Needs its server running.',
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash cancel 12'],
};

export async function run(cli: Cli): Promise<number> {
  const task = taskArg(cli, cli.args.positionals[0]);
  const owner = await ownerOf(cli, task);
  try {
    const { task: t } = await owner.client.request('cancel', { id: task.id });
    cli.out(cli.json ? JSON.stringify(t, null, 2) : `Cancelled: ${t.id}`);
    return 0;
  } finally {
    owner.client.close();
  }
}
