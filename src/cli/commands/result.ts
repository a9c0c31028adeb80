/** `bgbash result <id>`: what a finished task produced; the exit code is the task's. */
import { isTerminal } from '../../shared/task.js';
import { printable } from '../../shared/printable.js';
import { renderLog } from '../../run/render-log.js';
import { readLogFile, logFileSize } from '../../store/output-log.js';
import { taskFile } from '../../store/task-files.js';
import { CliError, taskArg, type Cli } from '../context.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [--json]',
  description: "What a finished task printed (or its runner's result). Exits with the task's exit code, so scripts can test it.",
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash result 12', 'bgbash result 12 && echo passed'],
};

export async function run(cli: Cli): Promise<number> {
  const task = taskArg(cli, cli.args.positionals[0]);
  if (!isTerminal(task)) throw new CliError(`task ${task.id} is still ${task.state}; \`bgbash wait ${task.id}\` waits for it, \`bgbash output ${task.id} -f\` follows it`);
  const file = taskFile(cli.paths, task.id, 'output');
  let text = task.result;
  if (text === null || text === undefined) {
    // What a terminal of the task's size showed, page by page.
    const parts: string[] = [];
    const { cols, rows } = cli.config.terminal;
    await renderLog((start, end) => readLogFile(file, start, end), logFileSize(file), { cols, rows, pty: task.pty }, (t) => parts.push(t));
    text = parts.join('');
  }
  if (cli.json) cli.out(JSON.stringify({ id: task.id, state: task.state, exit_code: task.exit_code, error: task.state === 'done' ? null : task.error, result: text }, null, 2));
  else {
    const shown = printable(text);
    if (shown) process.stdout.write(shown.endsWith('\n') ? shown : shown + '\n');
    if (task.state !== 'done') process.stderr.write(`bgbash: task ${task.id} ${task.state}: ${printable(String(task.error))}\n`);
  }
  if (task.state === 'done') return 0;
  return task.exit_code !== null && task.exit_code > 0 && task.exit_code < 256 ? task.exit_code : 1;
}
