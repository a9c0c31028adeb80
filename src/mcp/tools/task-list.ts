/** `task_list`: the session's tasks, its project's live persistent ones, and other servers' records, newest first. */
import { z } from 'zod';
import { projectRoot } from '../../core/project.js';
import { sessionTasks } from '../../core/session-tasks.js';
import type { ToolContext } from '../context.js';
import { stateSchema, taskSummary, taskSummarySchema } from '../schemas.js';
import { taskLine } from '../text.js';
import type { ToolDef } from '../tool-kit.js';

export function taskListTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_list',
    title: 'List tasks',
    description: 'List background tasks, newest first, with state, exit code and elapsed time. Filter by state; limit the count (default 20).',
    input,
    output,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const states = args.state === undefined ? null : new Set(Array.isArray(args.state) ? args.state : [args.state]);
      // This session's tasks and its project's live persistent ones (a dev server another session started).
      const project = projectRoot(ctx.shells.current(ctx.session()).cwd);
      const mine = sessionTasks(ctx.manager.all(), ctx.session(), project, (id) => ctx.manager.isOwn(id));
      const all = mine.filter((t) => !states || states.has(t.state));
      const shown = all.slice(0, args.limit ?? 20);
      const text = shown.length
        ? [...shown.map(taskLine), ...(all.length > shown.length ? [`(${all.length - shown.length} more; raise limit to see them)`] : [])].join('\n')
        : states
          ? `No ${[...states].join('/')} tasks.`
          : 'No tasks yet.';
      return { text, structured: { tasks: shown.map(taskSummary), total: all.length } };
    },
  };
}

const input = {
  state: z.union([stateSchema, z.array(stateSchema)]).optional().describe('Only tasks in this state (or these states)'),
  limit: z.number().int().min(1).max(1000).optional().describe('At most this many (default 20)'),
};

const output = { tasks: z.array(taskSummarySchema), total: z.number() };
