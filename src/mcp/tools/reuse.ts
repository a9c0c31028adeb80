/** `reuse: true` with a name: the live task of that name in this project is the answer, instead of a second copy. */
import { UserError } from '../../shared/errors.js';
import type { ShellSpec } from '../../core/manager.js';
import { reusableFor } from '../../core/session-tasks.js';
import { type Task } from '../../shared/task.js';
import { elapsedMs } from '../../shared/task-fields.js';
import { formatDuration } from '../../shared/units.js';
import type { ToolContext } from '../context.js';
import { portUrls } from '../text.js';

export interface Reused {
  task: Task;
  ports: number[];
  text: string;
}

/** The task a call with `reuse` finds, its ports looked at now; null when it should start one. The caller's session then hears of its end. */
export function findReused(ctx: ToolContext, args: { reuse?: boolean; name?: string }, spec: ShellSpec): Reused | null {
  if (!args.reuse) return null;
  if (!args.name) throw new UserError('reuse needs a name: the task is found again by its name in this project (e.g. name: "web")', 'reuse');
  const found = reusableFor(ctx.manager.config, ctx.manager.own(), args.name, spec);
  if (!found) return null;
  const session = ctx.session();
  if (found.session !== session) ctx.manager.watchers.add(found.id, session);
  const ports = ctx.manager.ports(found.id);
  const task = ctx.manager.fresh(found.id);
  const where = ports.length ? `, listening on ${portUrls(ports)}` : ', no TCP port open yet';
  const persistent = task.persistent ? 'persistent, ' : '';
  const text =
    `Reused: task #${task.id} "${args.name}" is already ${task.state} here (${persistent}for ${formatDuration(elapsedMs(task))}${where}): ${task.command}. ` +
    `Nothing new was started. task_output {task_id: "${task.id}"} reads its output; task_retry restarts it; task_cancel stops it.`;
  return { task, ports, text };
}
