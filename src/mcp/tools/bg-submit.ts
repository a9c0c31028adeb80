/** `bg_submit`: queue a shell command (or, later, an agent prompt) as a background task. */
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../context.js';
import { stateSchema } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';
import { commonShellInput, shellSpecFrom } from './shell-input.js';
import { bashOutput } from './bash.js';

const description = `Submit a background task and return its id at once. Like bash with background: true, plus the task's origin, session and where its completion notice goes (deliver_to). Tasks beyond background.maxConcurrentTasks (default 10) wait as "pending", first in first out. You will get a notice when it ends; do not poll in a loop.`;

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
      if (args.prompt !== undefined) {
        throw new UserError('prompt tasks are not available in this version of bgbash: submit a shell command with `command`', 'prompt');
      }
      if (args.command === undefined) throw new UserError('command is required (the shell command to run in the background)', 'command');
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
  prompt: z.string().min(1).optional().describe('Agent prompt to run (needs an agent runner)'),
  ...commonShellInput,
  origin: z.string().max(200).optional().describe('Who asked for it (default: the MCP client\'s name)'),
  session: z.string().max(200).optional().describe('Session the task belongs to (default: this server\'s)'),
  deliver_to: z.array(z.string().max(2000)).max(20).optional().describe('Where the completion notice goes besides this session (default background.defaultDeliverTo)'),
};

// The submit answer is {task_id, state}; as an MCP task its result is the command's (the bash tool's shape).
const output = {
  ...(Object.fromEntries(Object.entries(bashOutput).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof bashOutput]: z.ZodOptional<(typeof bashOutput)[K]> }),
  task_id: z.string(),
  state: stateSchema,
};
