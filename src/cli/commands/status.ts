/** `bgbash status <id>`: a task in full. From its server when it runs, else from its record. */
import { findTask, ownerOf, type Cli } from '../context.js';
import { taskDetails } from '../format.js';
import path from 'node:path';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [--json]',
  description: 'One task in full: state, command, cwd, origin, exit code, error, result, tokens, output size, log file.',
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash status 12', 'bgbash status "#12" --json'],
};

export async function run(cli: Cli): Promise<number> {
  let task = findTask(cli, cli.args.positionals[0]);
  let extra: { waiting_for_input?: boolean; output_file?: string } = { output_file: path.join(cli.paths.tasks, task.id, 'output.log') };
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
  else cli.out(taskDetails(task, extra));
  return 0;
}
