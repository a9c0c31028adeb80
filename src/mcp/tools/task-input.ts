/** `task_input`: type text or keys into a running task's terminal. */
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { MAX_INPUT_TEXT } from '../../core/limits.js';
import { keyBytes, KEY_NAMES } from '../../run/keys.js';
import type { ToolContext } from '../context.js';
import { stateSchema, taskIdInput } from '../schemas.js';
import type { ToolDef } from '../tool-kit.js';

export function taskInputTool(ctx: ToolContext): ToolDef<typeof input, typeof output> {
  return {
    name: 'task_input',
    title: 'Send input to a task',
    description:
      'Type into a running task, e.g. to answer a prompt (task_status: waiting_for_input). text goes as-is, then named keys (enter, tab, esc, up, down, ctrl-c, ctrl-d, …): "Continue? [y/N]" → {text: "y", keys: ["enter"]}. Read the reply with task_output {wait}.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    handler: async (args) => {
      if (args.text === undefined && (args.keys === undefined || args.keys.length === 0) && !args.eof) {
        throw new UserError('nothing to send: give text, keys, or eof: true', 'text');
      }
      let data = args.text ?? '';
      for (const name of args.keys ?? []) {
        const bytes = keyBytes(name);
        if (bytes === null) throw new UserError(`keys: unknown key "${name}" (known: ${KEY_NAMES.join(', ')})`, 'keys');
        data += bytes;
      }
      const task = ctx.manager.input(args.task_id, data);
      if (args.eof) ctx.manager.endInput(task.id);
      const sent = Buffer.byteLength(data);
      return {
        text: `Sent ${sent} byte${sent === 1 ? '' : 's'}${args.eof ? ' and end-of-input' : ''} to task #${task.id}. Read the response with task_output {task_id: "${task.id}", wait: 5}.`,
        structured: { task_id: task.id, state: task.state, sent_bytes: sent },
      };
    },
  };
}

const input = {
  task_id: taskIdInput,
  text: z
    .string()
    .max(MAX_INPUT_TEXT, { message: `at most 1 MiB (${MAX_INPUT_TEXT} characters) per call: send longer input in parts, as the task reads it` })
    .optional()
    .describe('Text to type (≤ 1 MiB)'),
  keys: z.array(z.string().max(32)).max(100).optional().describe('Keys after the text'),
  eof: z.boolean().optional().describe('Then end the input (Ctrl+D)'),
};
const output = { task_id: z.string(), state: stateSchema, sent_bytes: z.number() };
