/**
 * The task record as it is read back from disk. Everything under the data dir
 * is input like any other (a cloned repo, another user with write access, a
 * half-restored backup may have put it there), so a record is parsed, not
 * cast: a record that fails this schema, or whose `id` is not the name of the
 * directory it was found in, is reported and skipped — never followed,
 * deleted or re-run.
 *
 * `version` says which shape a record has. Records written before versions
 * existed have none and are read as version 1; a newer version is skipped with
 * a message saying so rather than guessed at.
 */
import { z } from 'zod';
import { TERMINATION_REASONS, type Task } from '../shared/task.js';
import { TASK_ID_RE } from './task-id.js';

export const RECORD_VERSION = 1;

const id = z.string().regex(TASK_ID_RE, 'not a task id (digits only)');
const text = z.string().max(16 * 1024 * 1024);
const time = z.string().max(64);
const count = z.number().finite().min(0);

// Loose objects: fields a later bgbash adds within the same version are kept, not dropped on the next write.
const common = {
  version: z.literal(RECORD_VERSION).optional(),
  id,
  kind: z.enum(['shell', 'prompt']),
  command: text.nullable(),
  prompt: text.nullable(),
  cwd: z.string().min(1).max(4096),
  env: z.record(z.string(), z.string()).default({}),
  env_unset: z.array(z.string().max(1000)).max(10_000).optional(),
  shell_state: z.boolean().optional(),
  name: text.nullable(),
  origin: z.string().max(1000).nullable(),
  session: z.string().max(1000).nullable(),
  deliver_to: z.array(z.string().max(4096)).default([]),
  pty: z.boolean(),
  backend: z.string().max(64).optional(),
  backend_note: text.nullable().optional(),
  timeout_ms: count,
  persistent: z.boolean().optional(),
  project: z.string().min(1).max(4096).optional(),
  port_clash: text.nullable().optional(),
  server: z.string().max(200),
  retry_of: id.nullable().default(null),
  notify_on: z.string().max(4096).nullable().default(null),
  created_at: time,
  output_bytes: count,
  output_dropped: count.default(0),
  tokens: count,
  result: text.nullable(),
  runner: z.string().max(200).nullable().optional(),
  usage: z.object({ input_tokens: count.nullable(), output_tokens: count.nullable() }).nullable().optional(),
  output_error: text.nullable().optional(),
  deliveries: z
    .array(z.looseObject({ target: z.string(), ok: z.boolean(), attempts: count, error: text.nullable(), at: time }))
    .optional(),
};

const ended = {
  started_at: time.nullable(),
  ended_at: time,
  exit_code: z.number().int().nullable(),
  signal: z.string().max(64).nullable(),
  termination: z.object({ reason: z.enum(TERMINATION_REASONS as [string, ...string[]]), by: z.string().max(64).nullable().optional() }).optional(),
};

export const recordSchema = z.discriminatedUnion('state', [
  z.looseObject({ ...common, state: z.literal('pending') }),
  z.looseObject({ ...common, state: z.literal('running'), started_at: time, pid: z.number().int().positive().nullable(), ports: z.array(z.number().int().min(1).max(65535)).max(1000).optional() }),
  z.looseObject({ ...common, ...ended, state: z.literal('done'), exit_code: z.literal(0) }),
  z.looseObject({ ...common, ...ended, state: z.literal('failed'), error: text }),
  z.looseObject({ ...common, ...ended, state: z.literal('cancelled'), error: text }),
]);

export type RecordCheck = { ok: true; task: Task } | { ok: false; reason: string };

/** Parses what a record file holds; `dirName` is the directory it was found in, which must be its id. */
export function checkRecord(value: unknown, dirName: string): RecordCheck {
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > RECORD_VERSION) {
    return { ok: false, reason: `written by a newer bgbash (record version ${version}; this one reads version ${RECORD_VERSION})` };
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `"${issue.path.join('.') || '(record)'}": ${issue.message}` };
  }
  if (parsed.data.id !== dirName) {
    return { ok: false, reason: `its id ${JSON.stringify(parsed.data.id)} is not the name of its directory (${dirName})` };
  }
  const { version: _version, ...task } = parsed.data;
  return { ok: true, task: task as unknown as Task };
}
