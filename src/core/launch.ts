/**
 * Starting what a task runs: a shell command (pty or pipes), an agent runner
 * (argv over pipes, the prompt as one argument), or in-process work (an
 * executor). Knows the environment every task's processes get.
 */
import type { Config } from '../config.js';
import { startPipe, type DirectLogs } from '../run/pipe-runner.js';
import type { RunningProcess } from '../run/process.js';
import { startPty } from '../run/pty-runner.js';
import { buildArgv, resolveRunner } from '../run/runners.js';
import { shellArgs, shellFor } from '../run/shell.js';
import { UserError } from './errors.js';
import { checkCwd } from './prechecks.js';
import { runExecutor, type Executor } from './executor.js';
import type { Task } from './task.js';
import { childEnv } from './child-env.js';
import { captureEnv, canCapture, stateFileFor } from '../run/state-capture.js';

export { SAMPLING_RUNNER } from './prechecks.js';
import { SAMPLING_RUNNER } from './prechecks.js';

export async function launch(config: Config, task: Task, marker: string, executor: Executor | null, logs?: DirectLogs): Promise<RunningProcess> {
  checkCwd(task.cwd);
  const size = { cols: config.terminal.cols, rows: config.terminal.rows };
  if (task.kind === 'shell') {
    const file = shellFor();
    const env = childEnv(config, task, marker);
    // A foreground bash call's end becomes its session's shell state (core/shell-state.ts).
    if (task.shell_state && canCapture(file, env)) Object.assign(env, captureEnv(stateFileFor(config.dataDir, task.id), env));
    const opts = { file, args: shellArgs(task.command!), cwd: task.cwd, env, ...size };
    return task.pty ? startPty(opts) : startPipe(opts, logs);
  }
  if (task.runner === SAMPLING_RUNNER) {
    if (!executor) throw new UserError('the MCP client that asked for this prompt is gone; nothing can answer it');
    return runExecutor(executor, task);
  }
  const spec = resolveRunner(config, task.runner!);
  const [file, ...args] = buildArgv(spec, task.prompt!, task.cwd);
  return startPipe({ file, args, cwd: task.cwd, env: childEnv(config, task, marker, spec.env), ...size }, logs);
}
