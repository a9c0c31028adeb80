/** `task_output`: read a task's output incrementally, as a tail, or by pattern; optionally long-poll. */
import { z } from 'zod';
import { compileRegex } from '../../core/pattern.js';
import { readWindow } from '../../core/output-view.js';
import { isTerminal } from '../../shared/task.js';
import { exitCode } from '../../shared/task-fields.js';
import { waitForLine, waitForOutput } from '../../core/waits.js';
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';

const description = `Read a task's output, cleaned (raw: true keeps escapes). since: a cursor from an earlier call, for only newer output. tail: last N lines. grep: matching lines, numbered. wait: seconds to wait for new output or the end; until: regex to wait for. Capped at max_bytes (16 KB); the result says how to read the rest. Default: the latest output.`;

export function taskOutputTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_output',
    title: 'Read task output',
    description,
    input,
    output,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, extra) => {
      const m = ctx.manager;
      const grep = args.grep !== undefined ? compileRegex(args.grep, 'grep') : undefined;
      const until = args.until !== undefined ? compileRegex(args.until, 'until') : undefined;
      const stream = args.stream ?? 'stdout';
      let task = m.get(args.task_id);
      let matched: boolean | undefined;
      const live = m.isOwn(task.id) && !isTerminal(task);
      if (until) {
        const since = args.since ?? 0;
        const prior = await readWindow(m, task.id, { since, grep: until, maxBytes: 4096, stream });
        matched = (prior.matches ?? 0) > 0;
        if (!matched && live) matched = await waitForLine(m, task.id, until, (args.wait ?? 30) * 1000, extra.mcpReq.signal);
      } else if (args.wait && live) {
        await waitForOutput(m, task.id, args.since ?? m.outputSize(task.id, stream), args.wait * 1000, extra.mcpReq.signal);
      }
      task = m.fresh(task.id);
      ctx.seen(task);
      const win = await readWindow(m, task.id, {
        since: args.since,
        tail: args.tail,
        grep,
        raw: args.raw,
        maxBytes: args.max_bytes ?? ctx.config.output.readBytes,
        stream,
      });
      const code = exitCode(task);
      const status = isTerminal(task) ? `[task #${task.id} ${task.state}${code !== null ? `, exit code ${code}` : ''}; cursor ${win.cursor}]` : `[task #${task.id} ${task.state}; cursor ${win.cursor}]`;
      const untilNote = until ? (matched ? '' : `\n[no line matched ${until} yet]`) : '';
      return {
        text: `${win.output.replace(/\n$/, '')}${win.output ? '\n' : ''}${status}${untilNote}`,
        structured: {
          task_id: task.id,
          state: task.state,
          exit_code: code,
          output: win.output,
          cursor: win.cursor,
          total_bytes: win.total_bytes,
          truncated: win.truncated,
          binary: win.binary,
          ...(matched !== undefined ? { matched } : {}),
        },
      };
    },
  };
}

const input = {
  task_id: taskIdInput,
  since: z.number().int().min(0).optional().describe('Cursor from an earlier call'),
  tail: z.number().int().min(0).max(100_000).optional().describe('Last N lines'),
  grep: z.string().max(65_536).optional().describe('Regex filter'),
  wait: z.number().min(0).max(600).optional().describe('Seconds to wait for new output'),
  until: z.string().max(65_536).optional().describe('Regex to wait for (up to wait, default 30 s)'),
  raw: z.boolean().optional().describe('Keep escapes'),
  max_bytes: z.number().int().min(256).max(1024 * 1024).optional().describe('Cap (default 16384)'),
  stream: z.enum(['stdout', 'stderr']).optional().describe('pty: false tasks: which stream'),
};

const output = {
  task_id: z.string(),
  state: stateSchema,
  exit_code: z.number().nullable(),
  output: z.string(),
  cursor: z.number(),
  total_bytes: z.number(),
  truncated: z.boolean(),
  binary: z.boolean(),
  matched: z.boolean().optional(),
};
