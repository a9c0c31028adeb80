/** `bgbash status <id>`: a task in full. From its server when it runs, else from its record. */
import { taskDetails, type DetailsExtra } from '../../mcp/task-details.js';
import { taskFile } from '../../store/task-files.js';
import { taskArgLive, ownerOf, type Cli } from '../context.js';
import { paintState } from '../format.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [--json]',
  description: 'One task in full: state, command, cwd, origin, exit code, error, result, tokens, output size, log file.',
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash status 12', 'bgbash status "#12" --json'],
};

export async function run(cli: Cli): Promise<number> {
  let task = await taskArgLive(cli, cli.args.positionals[0]);
  let extra: DetailsExtra = { output_file: taskFile(cli.paths, task.id, 'output') };
  try {
    const owner = await ownerOf(cli, task);
    try {
      const r = await owner.client.request('status', { id: task.id });
      task = r.task;
      extra = { waiting_for_input: r.waiting_for_input, output_file: r.output_file };
    } finally {
      owner.client.close();
    }
  } catch {
    /* no server: the record is the truth */
  }
  if (cli.json) cli.out(JSON.stringify({ ...task, ...extra }, null, 2));
  else cli.out(taskDetails(task, extra, { paint: paintState }));
  return 0;
}
