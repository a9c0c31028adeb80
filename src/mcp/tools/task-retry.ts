/** `task_retry`: run an ended task's command again as a new task. */
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput } from '../schemas.js';
import { z } from 'zod';
import type { ToolDef } from '../tool-kit.js';

export function taskRetryTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_retry',
    title: 'Retry a task',
    description: 'Run an ended task again as a new background task (same command, cwd, env, origin, session); retry_of names the old one.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    handler: async (args) => {
      const task = await ctx.manager.retry(args.task_id);
      return {
        text: `Retried: task #${task.retry_of} is re-run as task #${task.id} (${task.state}).`,
        structured: { task_id: task.id, state: task.state, retry_of: task.retry_of! },
      };
    },
  };
}

const input = { task_id: taskIdInput };
const output = { task_id: z.string(), state: stateSchema, retry_of: z.string() };
