/**
 * `bgbash strip`: the one-line task strip, live (refreshed every 2 seconds
 * and on every change, redrawn on resize); q or Ctrl+C removes it, leaving
 * the shell's screen as it was. `--once` prints it once, for a tmux status
 * line (`#(bgbash strip --once)`). Empty when there are no tasks.
 * `--status-line` is Claude Code's status line: that session's tasks (status-line.ts).
 */
import chalk from 'chalk';
import { stripText } from '../../tui/strip.js';
import { TaskSource, REFRESH_MS } from '../../tui/source.js';
import { currentTasks } from './list.js';
import { servers, type Cli } from '../context.js';
import { colorOn } from '../format.js';
import { StripLine } from '../../tui/strip-line.js';
import { SERVER_OPTION, type CommandSpec } from '../command.js';
import { readStatusInput, statusLineTasks } from '../status-line.js';

export const spec: CommandSpec = {
  usage: '[--once | --status-line] [--server ID]',
  description: 'The one-line task strip: running count, pending count, the latest task, its status and elapsed time.\nLive until q or Ctrl+C; --once prints it once (for a tmux status line). Empty when there are no tasks.',
  options: {
    once: { type: 'boolean', help: 'Print the strip once and exit' },
    'status-line': { type: 'boolean', help: "Claude Code's status line: reads its JSON on stdin, prints that session's tasks once (or its project's live persistent ones)" },
    ...SERVER_OPTION,
  },
  screen: true,
  maxArgs: 0,
  examples: ['bgbash strip', "tmux set -g status-right '#(bgbash strip --once)'", '{"statusLine": {"type": "command", "command": "bgbash strip --status-line", "refreshInterval": 2}}'],
};

export async function run(cli: Cli): Promise<number> {
  const width = (): number => process.stdout.columns || 80;
  if (cli.args.flags.has('--status-line')) {
    const input = await readStatusInput();
    // Claude Code cuts the line to its footer's width; COLUMNS when it says, else a wide line.
    const line = stripText(statusLineTasks(cli, await currentTasks(cli), input), Number(process.env.COLUMNS) || 120);
    if (line) process.stdout.write(line + '\n');
    return 0;
  }
  if (cli.args.flags.has('--once') || !process.stdout.isTTY) {
    const line = stripText(await currentTasks(cli), width());
    if (line) process.stdout.write(line + '\n');
    return 0;
  }
  const source = new TaskSource(cli, () => servers(cli));
  await source.start();
  // Raw before the first frame: a q pressed as soon as the strip shows must not be echoed as a line.
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  const line = new StripLine(process.stdout);
  let stopped = false;
  const render = (): void => {
    if (stopped) return;
    const text = stripText(source.tasks, width());
    line.draw(text && colorOn() ? chalk.inverse(text.padEnd(width())) : text);
  };
  source.on('changed', render);
  const tick = setInterval(render, REFRESH_MS);
  process.stdout.on('resize', render);
  render();
  return new Promise((resolve) => {
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(tick);
      source.off('changed', render);
      process.stdout.off('resize', render);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      source.stop();
      line.clear();
      if (process.stdin.isTTY) {
        process.stdin.setRawMode(false);
        process.stdin.pause();
      }
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    if (process.stdin.isTTY) {
      process.stdin.resume();
      process.stdin.on('data', (d: Buffer) => {
        if (d[0] === 0x03 || d.toString() === 'q') stop();
      });
    }
  });
}
