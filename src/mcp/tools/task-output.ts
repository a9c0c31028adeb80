/** `task_output`: read a task's output incrementally, as a tail, or by pattern; optionally long-poll. */
import { z } from 'zod';
import { compileRegex } from '../../core/pattern.js';
import { readWindow } from '../../core/output-view.js';
import { isTerminal } from '../../core/task.js';
import { waitForLine, waitForOutput } from '../../core/waits.js';
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';

const description = `Read a task's output (cleaned for reading unless raw: true).
- since: the cursor from an earlier call — returns only newer output, and a new cursor.
- tail: the last N lines.  grep: only lines matching a regex, with line numbers.
- wait: seconds to long-poll until there is new output (or the task ends). until: regex — long-poll until a line matches.
- max_bytes caps what comes back (default ~16 KB); the text says what was left out and how to read it.
Without since/tail/grep you get the most recent output. Prefer wait/until over calling repeatedly.`;

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
        if (!matched && live) matched = await waitForLine(m, task.id, until, (args.wait ?? 30) * 1000, extra.signal);
      } else if (args.wait && live) {
        await waitForOutput(m, task.id, args.since ?? m.outputSize(task.id, stream), args.wait * 1000, extra.signal);
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
      const t = task as typeof task & { exit_code?: number | null };
      const status = isTerminal(task) ? `[task #${task.id} ${task.state}${t.exit_code !== null && t.exit_code !== undefined ? `, exit code ${t.exit_code}` : ''}; cursor ${win.cursor}]` : `[task #${task.id} ${task.state}; cursor ${win.cursor}]`;
      const untilNote = until ? (matched ? '' : `\n[no line matched ${until} yet]`) : '';
      return {
        text: `${win.output.replace(/\n$/, '')}${win.output ? '\n' : ''}${status}${untilNote}`,
        structured: {
          task_id: task.id,
          state: task.state,
          exit_code: t.exit_code ?? null,
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
  since: z.number().int().min(0).optional().describe('Cursor from an earlier call: only output after it'),
  tail: z.number().int().min(0).max(100_000).optional().describe('Only the last N lines'),
  grep: z.string().max(65_536).optional().describe('Regex: only matching lines, with line numbers'),
  wait: z.number().min(0).max(600).optional().describe('Seconds to wait for new output or the end'),
  until: z.string().max(65_536).optional().describe('Regex: wait (up to `wait`, default 30 s) until an output line matches'),
  raw: z.boolean().optional().describe('Keep ANSI escapes and carriage returns'),
  max_bytes: z.number().int().min(256).max(1024 * 1024).optional().describe('Cap on the returned output (default 16384)'),
  stream: z.enum(['stdout', 'stderr']).optional().describe('pty: false tasks only: which stream (default stdout)'),
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
