/** `bgbash cancel <id|name>`: ask the owning server to cancel a task (and end its process tree). */
import { isTerminal, type Task } from '../../shared/task.js';
import { printable } from '../../shared/printable.js';
import { taskArgLive, ownerOf, CliError, type Cli } from '../context.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';
import { currentTasks } from './list.js';

export const spec: CommandSpec = {
  usage: '<id|name> [--json]',
  description: 'Cancels a pending or running task, by id or by the name of one live task: its whole process tree gets SIGTERM, then SIGKILL after a grace. Needs its server running.',
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash cancel 12', 'bgbash cancel web'],
};

/** The one live task named `name`; a clear error for none or several. */
async function byName(cli: Cli, name: string): Promise<Task> {
  const live = (await currentTasks(cli)).filter((t) => t.name === name && !isTerminal(t));
  if (live.length === 1) return live[0];
  if (live.length === 0) throw new CliError(`no live task named "${printable(name)}" (bgbash list shows tasks and their names)`);
  const list = live.map((t) => `  ${t.id}  ${t.state}  ${printable(t.command ?? t.prompt ?? '')}  (in ${printable(t.cwd)})`).join('\n');
  throw new CliError(`${live.length} live tasks are named "${printable(name)}"; cancel one by its id:\n${list}`);
}

export async function run(cli: Cli): Promise<number> {
  const ref = cli.args.positionals[0];
  // Digits (or #digits) are an id; anything else is a name.
  const task = ref !== undefined && !/^#?\d+$/.test(ref.trim()) ? await byName(cli, ref) : await taskArgLive(cli, ref);
  const owner = await ownerOf(cli, task);
  try {
    const { task: t } = await owner.client.request('cancel', { id: task.id });
    cli.out(cli.json ? JSON.stringify(t, null, 2) : `Cancelled: ${t.id}${t.name ? ` (${t.name})` : ''}`);
    return 0;
  } finally {
    owner.client.close();
  }
}
