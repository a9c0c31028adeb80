/** `task_retry`: run an ended task's command again as a new task. */
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput } from '../schemas.js';
import { z } from 'zod';
import type { ToolDef } from '../tool-kit.js';
import { isTerminal } from '../../shared/task.js';

export function taskRetryTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_retry',
    title: 'Retry a task',
    description: 'Run a task again as a new background task (same command, cwd, env, name, persistence); retry_of names the old one. A running one is stopped first (restart).',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    handler: async (args) => {
      const restarted = !isTerminal(ctx.manager.get(args.task_id));
      const task = await ctx.manager.retry(args.task_id, 'agent');
      // The agent asked for the restart: the old task's end needs no notice.
      if (restarted) ctx.seen(ctx.manager.get(task.retry_of!));
      return {
        text: `${restarted ? 'Restarted' : 'Retried'}: task #${task.retry_of} is re-run as task #${task.id} (${task.state}).`,
        structured: { task_id: task.id, state: task.state, retry_of: task.retry_of! },
      };
    },
  };
}

const input = { task_id: taskIdInput };
const output = { task_id: z.string(), state: stateSchema, retry_of: z.string() };
