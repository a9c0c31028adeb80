/** The colour of each task state, the same in the CLI's tables and on the Tasks page. */
import chalk from 'chalk';
import type { Task } from '../shared/task.js';

export const STATE_COLOR: Record<Task['state'], (s: string) => string> = {
  pending: chalk.yellow,
  running: chalk.cyan,
  done: chalk.green,
  failed: chalk.red,
  cancelled: chalk.gray,
};
