/** `task_cancel`: stop a pending or running task and its whole process tree. */
import type { ToolContext } from '../context.js';
import { taskIdInput, taskRecordSchema, taskView } from '../schemas.js';
import { taskLine } from '../text.js';
import type { ToolDef } from '../tool-kit.js';

export function taskCancelTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_cancel',
    title: 'Cancel a task',
    description: 'Cancel a pending or running task and its whole process tree (SIGTERM, then SIGKILL). It ends "cancelled".',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    handler: async (args) => {
      const task = ctx.manager.cancel(args.task_id, `cancelled by the agent (${ctx.clientName() ?? 'MCP client'})`, 'agent');
      return { text: `Cancelled: ${taskLine(task)}`, structured: { task: taskView(task) } };
    },
  };
}

const input = { task_id: taskIdInput };
const output = { task: taskRecordSchema };
