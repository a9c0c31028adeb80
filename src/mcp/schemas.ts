/** Zod shapes shared by several tools: the task record as agents see it. */
import { z } from 'zod';
import type { Task } from '../shared/task.js';
import { TERMINATION_REASONS } from '../shared/task.js';
import { backendOf, elapsedMs, endedAt, errorOf, exitCode, portsOf, signalOf, startedAt, terminationOf } from '../shared/task-fields.js';

export const stateSchema = z.enum(['pending', 'running', 'done', 'failed', 'cancelled']);

// A number is accepted too: agents and the Inspector send {"task_id": 14}. What it may contain is checked by parseTaskRef.
export const taskIdInput = z
  .union([z.string().min(1).max(64), z.number().int().min(0)])
  .transform(String)
  .describe('Task id, e.g. "12"');

export const taskRecordSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['shell', 'prompt']),
  state: stateSchema,
  command: z.string().nullable(),
  prompt: z.string().nullable(),
  name: z.string().nullable(),
  cwd: z.string(),
  origin: z.string().nullable(),
  session: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  result: z.string().nullable(),
  tokens: z.number(),
  output_bytes: z.number(),
  retry_of: z.string().nullable(),
  elapsed_ms: z.number(),
  runner: z.string().nullable().optional(),
  backend: z.string().describe('What runs it: pty, pipe, agent, sampling, or a configured backend (an ssh host)'),
  termination: z
    .object({ reason: z.enum(TERMINATION_REASONS as [string, ...string[]]), by: z.string().nullable().optional() })
    .nullable()
    .describe('Why it ended (null while it runs): exit, signal, timeout, cancelled (by whom), shutdown, server_lost, spawn_error, output_limit'),
  usage: z.object({ input_tokens: z.number().nullable(), output_tokens: z.number().nullable() }).nullable().optional(),
  persistent: z.boolean(),
  ports: z.array(z.number()).describe('TCP ports its processes listen on (running tasks)'),
  port_clash: z.string().nullable().optional(),
});

export type TaskView = z.infer<typeof taskRecordSchema>;

/** The record as it goes out: every field present (null when it does not apply), plus elapsed. */
export function taskView(task: Task): TaskView {
  return {
    ...task,
    started_at: startedAt(task),
    ended_at: endedAt(task),
    exit_code: exitCode(task),
    signal: signalOf(task),
    error: errorOf(task),
    backend: backendOf(task),
    termination: terminationOf(task),
    elapsed_ms: elapsedMs(task),
    persistent: task.persistent ?? false,
    ports: portsOf(task),
  };
}

export const taskSummarySchema = z.object({
  id: z.string(),
  state: stateSchema,
  kind: z.enum(['shell', 'prompt']),
  label: z.string(),
  exit_code: z.number().nullable(),
  elapsed_ms: z.number(),
  created_at: z.string(),
  origin: z.string().nullable(),
  persistent: z.boolean().optional(),
  ports: z.array(z.number()).optional(),
});

export function taskSummary(task: Task): z.infer<typeof taskSummarySchema> {
  const v = taskView(task);
  return {
    id: v.id,
    state: v.state,
    kind: v.kind,
    label: v.name ?? v.command ?? v.prompt ?? '',
    exit_code: v.exit_code,
    elapsed_ms: v.elapsed_ms,
    created_at: v.created_at,
    origin: v.origin,
    ...(v.persistent ? { persistent: true } : {}),
    ...(v.ports.length ? { ports: v.ports } : {}),
  };
}
