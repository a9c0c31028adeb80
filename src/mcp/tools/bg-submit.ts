/** `bg_submit`: queue a shell command (or, later, an agent prompt) as a background task. */
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import type { ToolContext } from '../context.js';
import { stateSchema } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';
import { commandInput, commonShellInput, shellSpecFrom } from './shell-input.js';
import { bashOutput } from './bash.js';
import { findReused } from './reuse.js';
import { validateTarget } from '../../notify/targets.js';
import { checkSessionName } from '../../shared/session-name.js';

const description = `Queue a background task and return its id at once: a shell command (like bash with background: true), or an agent prompt (a long research or review job) run by an agent CLI or by your own model (sampling). Beyond background.maxConcurrentTasks (10) tasks wait as pending. You are told once when it ends, with a prompt's result; do not poll in a loop. deliver_to sends the notice elsewhere too, in addition to the user's background.defaultDeliverTo.`;

export function bgSubmitTool(ctx: ToolContext): ToolDef<typeof bgSubmitInput, typeof output> {
  return {
    name: 'bg_submit',
    title: 'Submit a background task',
    description,
    input: bgSubmitInput,
    output,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    handler: async (args) => {
      if (args.prompt !== undefined && args.command !== undefined) throw new UserError('give either command or prompt, not both', 'command');
      if (args.session !== undefined) checkSessionName(args.session);
      if (args.prompt !== undefined) {
        if (args.persistent || args.reuse) throw new UserError(`${args.persistent ? 'persistent' : 'reuse'} goes with command (a server, a watcher), not with prompt`, args.persistent ? 'persistent' : 'reuse');
        for (const t of args.deliver_to ?? []) validateTarget(t);
        const task = await ctx.manager.submitPrompt({
          prompt: args.prompt,
          runner: args.runner ?? null,
          // In the session's directory, like its shell commands.
          cwd: ctx.shells.start(ctx.session(), { cwd: args.cwd }).cwd,
          name: args.name ?? null,
          timeout_ms: args.timeout !== undefined ? Math.round(args.timeout * 1000) : undefined,
          origin: args.origin ?? ctx.clientName(),
          session: args.session ?? ctx.session(),
          deliver_to: args.deliver_to,
        });
        const hint = `You will get a notice with its result when it ends; task_status {task_id: "${task.id}"} shows it.`;
        return {
          text: `Task #${task.id} submitted (${task.state}): prompt for runner "${task.runner}"\n${hint}`,
          structured: { task_id: task.id, state: task.state, hint },
          runsOn: task,
        };
      }
      if (args.runner !== undefined) throw new UserError('runner goes with prompt, not with command', 'runner');
      if (args.command === undefined) throw new UserError('command or prompt is required (a shell command, or an agent prompt to run with a runner)', 'command');
      const spec = shellSpecFrom(ctx, { ...args, command: args.command }, { foreground: false });
      const reused = findReused(ctx, args, spec);
      if (reused) return { text: reused.text, structured: { task_id: reused.task.id, state: reused.task.state, reused: true, ports: reused.ports }, runsOn: reused.task };
      const task = await ctx.manager.submit(spec);
      const hint = `You will get a notice when it ends; task_output {task_id: "${task.id}"} reads its output.`;
      return {
        text: `Task #${task.id} submitted (${task.state}${task.persistent ? ', persistent: it outlives this session' : ''}): ${task.command}\n${hint}`,
        structured: { task_id: task.id, state: task.state, hint },
        runsOn: task,
      };
    },
  };
}

export const bgSubmitInput = {
  command: commandInput('Shell command to run in the background'),
  prompt: z.string().min(1).max(1024 * 1024).optional().describe('Agent prompt, instead of command'),
  runner: z.string().max(100).optional().describe('Who runs the prompt: claude, codex, opencode, gemini, a configured runner, or "sampling"'),
  ...commonShellInput,
  origin: z.string().max(200).optional().describe('Who asked for it (default: your client)'),
  session: z.string().max(200).optional().describe('Session the notice goes to (default: this one)'),
  deliver_to: z.array(z.string().max(2000)).max(20).optional().describe('Also send the notice to (added to background.defaultDeliverTo): slack:URL, discord:URL, telegram:CHAT_ID, ntfy:TOPIC_URL, webhook:URL, command:CMD, desktop'),
};

// The submit answer. As an MCP task its result is the command's (the bash tool's shape, a superset: JSON Schema
// allows fields it does not name), so tools/list does not spell bash's fields out twice.
const output = {
  task_id: z.string(),
  state: stateSchema,
  hint: bashOutput.hint,
  reused: bashOutput.reused,
  ports: bashOutput.ports,
};
