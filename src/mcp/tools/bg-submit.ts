/** `bg_submit`: queue a shell command (or, later, an agent prompt) as a background task. */
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../context.js';
import { stateSchema } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';
import { commonShellInput, shellSpecFrom } from './shell-input.js';
import { bashOutput } from './bash.js';
import { parseTarget } from '../../notify/targets.js';
import { checkSessionName } from '../../core/session-name.js';

const description = `Submit a background task and return its id at once: a shell command (like bash with background: true), or an agent prompt run by an agent CLI (runner: claude, codex, opencode, gemini) or by your own model via sampling — so a long research or review job does not block the conversation. Set origin, session and where the completion notice goes (deliver_to). Tasks beyond background.maxConcurrentTasks (default 10) wait as "pending", first in first out. You will get a notice (with a prompt task's result) when it ends; do not poll in a loop.`;

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
        for (const t of args.deliver_to ?? []) parseTarget(t);
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
        return {
          text: `Task #${task.id} submitted (${task.state}): prompt for runner "${task.runner}"\nYou will get a notice with its result when it ends; task_status {task_id: "${task.id}"} shows it.`,
          structured: { task_id: task.id, state: task.state },
        };
      }
      if (args.runner !== undefined) throw new UserError('runner goes with prompt, not with command', 'runner');
      if (args.command === undefined) throw new UserError('command or prompt is required (a shell command, or an agent prompt to run with a runner)', 'command');
      const task = await ctx.manager.submit(shellSpecFrom(ctx, { ...args, command: args.command }, { foreground: false }));
      return {
        text: `Task #${task.id} submitted (${task.state}): ${task.command}\nYou will get a notice when it ends; task_output {task_id: "${task.id}"} reads its output.`,
        structured: { task_id: task.id, state: task.state },
      };
    },
  };
}

export const bgSubmitInput = {
  command: z.string().min(1).optional().describe('Shell command to run in the background'),
  prompt: z.string().min(1).max(1024 * 1024).optional().describe('Agent prompt to run as a background task, by `runner` (instead of command)'),
  runner: z.string().max(100).optional().describe('Prompt tasks: which agent runs it: claude, codex, opencode, gemini, one from the config, or "sampling" (your own model, via the client). Default: background.defaultRunner, else sampling when the client supports it'),
  ...commonShellInput,
  origin: z.string().max(200).optional().describe('Who asked for it (default: the MCP client\'s name)'),
  session: z.string().max(200).optional().describe('Session the task belongs to: letters, digits, ".", "_", "-", up to 64 (default: this server\'s)'),
  deliver_to: z.array(z.string().max(2000)).max(20).optional().describe('Where the completion notice goes besides this session (default background.defaultDeliverTo)'),
};

// The submit answer is {task_id, state}; as an MCP task its result is the command's (the bash tool's shape).
const output = {
  ...(Object.fromEntries(Object.entries(bashOutput).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof bashOutput]: z.ZodOptional<(typeof bashOutput)[K]> }),
  task_id: z.string(),
  state: stateSchema,
};
