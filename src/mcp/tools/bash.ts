/** `bash`: run a command in the foreground (wait for it) or in the background (return a task id at once). */
import { z } from 'zod';
import { compileRegex, type Pattern } from '../../core/pattern.js';
import { UserError } from '../../shared/errors.js';
import { headTailWindow } from '../../core/output-view.js';
import { notSavedLines } from '../../notify/notice.js';
import { isTerminal } from '../../shared/task.js';
import { elapsedMs } from '../../shared/task-fields.js';
import { formatDuration } from '../../shared/units.js';
import type { ToolContext } from '../context.js';
import { stateSchema } from '../schemas.js';
import { taskLine } from '../text.js';
import { findReused } from './reuse.js';
import type { Extra, ToolDef, ToolReply } from '../tool-kit.js';
import type { DetachReason, DetachSource } from '../../core/events.js';
import type { Task } from '../../shared/task.js';
import { StringDecoder } from 'node:string_decoder';
import { cleanText } from '../../run/clean.js';
import { renderTextNow } from '../../run/render.js';
import { commandInput, commonShellInput, shellSpecFrom } from './shell-input.js';
import { resetReply, SHELL_STATE_HELP, shellNotes } from './shell-session.js';

const description = `Run a shell command (bash -c, in a pseudo-terminal unless pty: false).
Foreground (default): waits, returns exit code and cleaned output (long output as head + tail). If it still runs after yield_after seconds (default 30), its output matches \`until\`, it listens on a port (until_listening), or a person presses Ctrl+B, the call returns early with the output so far and the command KEEPS RUNNING as a background task.
background: true returns a task id at once: builds, test suites, anything over ~30 s. You are told once when it ends, so do not poll in a loop (task_output and task_status can wait). No \`&\` or nohup. Answer prompts with task_input.
Dev server or watcher: name + persistent, reuse, until_listening: true (outlives your session; found again, not started twice; returns with its ports).

${SHELL_STATE_HELP}`;

export function bashTool(ctx: ToolContext): ToolDef<typeof bashInput, typeof bashOutput> {
  return {
    name: 'bash',
    title: 'Run a shell command',
    description,
    input: bashInput,
    output: bashOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    handler: async (args, extra) => {
      if (args.reset && args.command === undefined) return resetReply(ctx);
      if (args.command === undefined) throw new UserError('command is required (or reset: true alone, to reset the shell)', 'command');
      const until = args.until !== undefined ? compileRegex(args.until, 'until') : null;
      if (args.until_listening && args.background) throw new UserError('until_listening is for a foreground call: drop background: true (the call returns once it listens, and the command runs on)', 'until_listening');
      if (args.reset) ctx.shells.reset(ctx.session());
      const spec = shellSpecFrom(ctx, { ...args, command: args.command }, { foreground: !args.background });
      const reused = findReused(ctx, args, spec);
      if (reused) {
        const r = reused.task;
        return {
          text: reused.text,
          structured: { task_id: r.id, state: r.state, reused: true, ports: reused.ports, background: args.background, elapsed_ms: elapsedMs(r), detached: null },
          runsOn: r,
        };
      }
      const task = await ctx.manager.submit(spec);
      if (args.background) {
        const hint = `You will get a notice when it ends. task_output {task_id: "${task.id}"} reads its output; task_status {task_id: "${task.id}", wait: 60} waits for it.`;
        return {
          text: `${shellNotes(ctx, task.id, spec.cwd_note).before}Task #${task.id} started in the background (${task.state}${task.persistent ? ', persistent: it outlives this session' : ''}): ${task.command}\n${hint}`,
          structured: { task_id: task.id, state: task.state, hint, background: true, exit_code: null, signal: null, output: '', truncated: false, cursor: 0, elapsed_ms: 0, detached: null },
          runsOn: task,
        };
      }
      const yieldAfter = args.yield_after ?? ctx.config.foreground.yieldAfter;
      const stopProgress = reportProgress(ctx, task.id, extra);
      const outcome = await ctx.foreground.wait(task.id, { yieldAfterMs: yieldAfter * 1000, until, untilListening: args.until_listening, signal: extra.mcpReq.signal }).finally(stopProgress);
      const t = outcome.task;
      ctx.seen(t);
      const reply = await commandResult(ctx, t, outcome.detached, outcome.matched, { yieldAfter, until, by: outcome.by });
      const notes = shellNotes(ctx, t.id, spec.cwd_note);
      const unsaved = notSavedLines(ctx.manager.fresh(t.id)).map((l) => `\n[note: ${l}]`).join('');
      const result = { text: notes.before + reply.text + notes.after + unsaved, structured: { ...reply.structured, cwd: ctx.shells.current(ctx.session(), t.backend).cwd } };
      if (isTerminal(t)) return result;
      // A task handle's status line: the last of the output so far, and what happens next.
      const so = reply.structured.output ?? '';
      const body = so.length > HANDLE_TAIL ? `…${so.slice(-HANDLE_TAIL)}` : so;
      return { ...result, runsOn: t, handleMessage: `${body}${body ? '\n' : ''}[${reply.structured.hint}]` };
    },
  };
}

/** How much of the output so far a task handle's status line repeats. */
const HANDLE_TAIL = 2000;

/** The result of a command run: at its end, or when a foreground call stopped waiting for it. */
export async function commandResult(
  ctx: ToolContext,
  t: Task,
  detached: DetachReason | null,
  matched: string | null,
  why: { yieldAfter?: number; until?: Pattern | null; by?: DetachSource | null } = {},
): Promise<ToolReply<z.infer<z.ZodObject<typeof bashOutput>>>> {
  // stdout and stderr share the budget, so a result stays well under the 50 KB some clients cut (text + structured).
  const budget = ctx.config.output.readBytes;
  const win = await headTailWindow(ctx.manager, t.id, t.pty ? budget : Math.floor((budget * 3) / 4));
  const errWin = t.pty ? null : await headTailWindow(ctx.manager, t.id, Math.floor(budget / 4), 'stderr');
  const ended = isTerminal(t);
  let hint: string | undefined;
  const ports = ended ? [] : ctx.manager.ports(t.id);
  if (!ended) {
    const reason = {
      yield: `still running after ${why.yieldAfter}s`,
      until: `output matched ${why.until}`,
      listening: 'it listens',
      request: why.by === 'attach' ? 'a person detached it with the detach key in `bgbash attach`' : 'a person detached it with `bgbash detach`',
      client: 'the call was cancelled',
    }[detached ?? 'yield'];
    hint =
      `${taskLine(t)}: ${reason}. It keeps running in the background as task #${t.id}; you will get a notice when it ends. ` +
      `task_output {task_id: "${t.id}", since: ${win.cursor}} reads new output; task_cancel stops it.`;
  }
  const structured = {
    task_id: t.id,
    state: t.state,
    ...(hint ? { hint } : {}),
    background: false,
    exit_code: ended ? t.exit_code : null,
    signal: ended ? t.signal : null,
    error: ended && t.state !== 'done' ? t.error : null,
    output: win.output,
    ...(errWin ? { stderr: errWin.output } : {}),
    truncated: win.truncated,
    cursor: win.cursor,
    elapsed_ms: elapsedMs(t),
    detached,
    ...(matched !== null ? { matched } : {}),
    ...(ports.length ? { ports } : {}),
    ...(t.port_clash ? { port_clash: t.port_clash } : {}),
  };
  const body = [win.output, errWin && errWin.output ? `--- stderr ---\n${errWin.output}` : ''].filter(Boolean).join('\n');
  let text: string;
  if (ended) {
    const status = t.state === 'done' ? 'exit code 0' : t.state === 'cancelled' ? `cancelled: ${t.error}` : t.error;
    text = `${body}${body ? '\n' : ''}[${status} (${formatDuration(elapsedMs(t))}); task #${t.id}]${t.port_clash ? `\n[${t.port_clash}]` : ''}`;
  } else {
    text = `${body}${body ? '\n' : ''}[${hint}]`;
  }
  return { text, structured };
}

export const bashInput = {
  command: commandInput('The command line, run with bash -c (required unless reset: true)'),
  reset: z.boolean().optional().describe('First reset the shell (start directory and environment)'),
  background: z.boolean().default(false).describe('Return a task id at once; the command runs on'),
  ...commonShellInput,
  yield_after: z
    .number()
    .min(0)
    .max(3600)
    .optional()
    .describe('Foreground: seconds before returning while it still runs (default 30; 0 = wait for the end)'),
  until: z.string().max(65_536).optional().describe('Foreground: regex; return when an output line matches, leaving the command running'),
  until_listening: z.boolean().optional().describe('Foreground: return once it listens on a TCP port'),
};

export const bashOutput = {
  task_id: z.string().optional(),
  state: stateSchema.optional(),
  hint: z.string().optional(),
  background: z.boolean().optional(),
  exit_code: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  output: z.string().optional().describe('Cleaned output (head + tail when long)'),
  stderr: z.string().optional().describe('pty: false only: stderr, apart from stdout'),
  truncated: z.boolean().optional(),
  cursor: z.number().optional().describe('Byte offset to pass as task_output since'),
  elapsed_ms: z.number().optional(),
  detached: z.enum(['yield', 'until', 'listening', 'request', 'client']).nullable().optional().describe('Why it returned while still running'),
  matched: z.string().optional(),
  ports: z.array(z.number()).optional(),
  reused: z.boolean().optional(),
  port_clash: z.string().optional(),
  cwd: z.string().optional().describe('Where the next command runs'),
  reset: z.boolean().optional().describe('The shell was reset and no command run'),
};

/** Progress notifications while a foreground call waits: bytes so far and the latest line, at most every 250 ms. */
function reportProgress(ctx: ToolContext, id: string, extra: Extra): () => void {
  const token = extra.mcpReq._meta?.progressToken;
  if (token === undefined) return () => undefined;
  const decoder = new StringDecoder('utf8');
  let recent = '';
  let bytes = 0;
  let timer: NodeJS.Timeout | null = null;
  const send = (): void => {
    timer = null;
    // The latest line as a terminal shows it (a spinner's frames are not a line of their own).
    const { cols, rows } = ctx.config.terminal;
    const lines = (renderTextNow(Buffer.from(recent), { cols, rows, pty: ctx.manager.get(id).pty }) ?? cleanText(recent)).split('\n').filter((l) => l.trim());
    const message = lines.length ? lines[lines.length - 1].slice(0, 200) : undefined;
    extra.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: bytes, ...(message ? { message } : {}) } }).catch(() => undefined);
  };
  const onOutput = (tid: string, chunk: Buffer): void => {
    if (tid !== id) return;
    bytes += chunk.length;
    recent = (recent + decoder.write(chunk)).slice(-2048);
    timer ??= setTimeout(send, 250);
  };
  ctx.manager.on('output', onOutput);
  return () => {
    ctx.manager.off('output', onOutput);
    if (timer) clearTimeout(timer);
  };
}
