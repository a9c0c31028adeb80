/** `bgbash cancel <id>`: ask the owning server to cancel a task (and end its process tree). */
import { findTask, ownerOf, type Cli } from '../context.js';

export async function run(cli: Cli): Promise<number> {
  const task = findTask(cli, cli.args.positionals[0]);
  const owner = await ownerOf(cli, task);
  try {
    const { task: t } = await owner.client.request('cancel', { id: task.id });
    cli.out(cli.json ? JSON.stringify(t, null, 2) : `Cancelled: ${t.id}`);
    return 0;
  } finally {
    owner.client.close();
  }
}
