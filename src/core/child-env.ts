/** The environment every task's processes start with. */
import type { Config } from '../config.js';
import { MARKER_VAR } from '../run/proc.js';
import type { Task } from './task.js';

export function childEnv(config: Config, task: Task, marker: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Pagers would wait for a keypress no one sends.
  Object.assign(env, { TERM: config.terminal.term, PAGER: 'cat', GIT_PAGER: 'cat' }, extra);
  // What the session's shell unset stays unset; what it exported (in task.env) is set below.
  for (const name of task.env_unset ?? []) delete env[name];
  Object.assign(env, task.env);
  // bash keeps a logical PWD it is given when it names the directory it starts in
  // (a path through a symlink stays as the agent typed it).
  env.PWD = task.cwd;
  env[MARKER_VAR] = marker;
  return env;
}
