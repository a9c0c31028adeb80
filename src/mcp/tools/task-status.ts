/** `task_status`: one task in full (optionally waiting for it to end), or a summary of all. */
import { z } from 'zod';
import { waitForEnd } from '../../core/waits.js';
import { isTerminal } from '../../shared/task.js';
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput, taskRecordSchema, taskSummary, taskSummarySchema, taskView } from '../schemas.js';
import { taskDetails } from '../task-details.js';
import { taskLine } from '../text.js';
import type { ToolDef } from '../tool-kit.js';
import { shellSummary } from './shell-session.js';

const description = `A task's full record: state, exit code, error, elapsed, output, ports; what a pending one waits for. wait: N blocks up to N s until it ends (use instead of polling). Without task_id: counts by state, the latest tasks and your shell's directory.`;

export function taskStatusTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_status',
    title: 'Task status',
    description,
    input,
    output,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, extra) => {
      const m = ctx.manager;
      if (args.task_id === undefined) {
        const all = m.all();
        const counts = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
        for (const t of all) counts[t.state]++;
        const recent = all.slice(0, 10);
        const shell = shellSummary(ctx);
        const text = [`${all.length} tasks: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`, ...recent.map(taskLine), shell.text].join('\n');
        return { text, structured: { counts, tasks: recent.map(taskSummary), cwd: shell.cwd } };
      }
      let task = m.fresh(args.task_id);
      if (args.wait && !isTerminal(task) && m.isOwn(task.id)) task = await waitForEnd(m, task.id, args.wait * 1000, extra.mcpReq.signal);
      ctx.seen(task);
      const waiting = m.waitingForInput(task.id);
      const output_file = m.logFile(task.id);
      const view = { ...taskView(task), waiting_for_input: waiting, output_file };
      const hint = isTerminal(task) ? '' : args.wait ? `\n(still ${task.state} after waiting ${args.wait}s)` : '';
      const queued = task.state === 'pending' ? m.queueNote(task.id) : null;
      return { text: taskDetails(task, { waiting_for_input: waiting, output_file, queued }) + hint, structured: { task: queued ? { ...view, queued } : view } };
    },
  };
}

const input = {
  task_id: taskIdInput.optional(),
  wait: z.number().min(0).max(600).optional().describe('Seconds to wait for the end'),
};

const output = {
  task: taskRecordSchema.extend({ waiting_for_input: z.boolean().nullable().describe('null: cannot tell here (no /proc)'), output_file: z.string(), queued: z.string().optional() }).optional(),
  counts: z.record(stateSchema, z.number()).optional(),
  tasks: z.array(taskSummarySchema).optional(),
  cwd: z.string().optional().describe("Without task_id: your shell's current directory (where the next bash command runs)"),
};
