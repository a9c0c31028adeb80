/**
 * A completion notice: what the agent is told when a task ends (or, with
 * `notify_on`, when a watched line appears). Formatted once, here, and the
 * same text goes out by every delivery path.
 */
import type { Pattern } from '../core/pattern.js';
import { z } from 'zod';
import type { EndedTask, Task } from '../shared/task.js';
import { describeTermination, elapsedMs, taskLabel, terminationOf } from '../shared/task-fields.js';
import { formatDuration } from '../shared/units.js';
import { oneLine } from '../shared/printable.js';

export const noticeSchema = z.object({
  /** Unique per notice: "<task id>" for an end, "<task id>:line:<n>" for a watched line. */
  id: z.string(),
  kind: z.enum(['ended', 'line']),
  task_id: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'cancelled']),
  label: z.string(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  /** Why it ended (ended notices): exit, signal, timeout, cancelled, shutdown, server_lost, spawn_error, … */
  reason: z.string().nullable().optional(),
  elapsed_ms: z.number(),
  text: z.string(),
  session: z.string().nullable(),
  created_at: z.string(),
});

export type Notice = z.infer<typeof noticeSchema>;

const WORD = { done: 'completed', failed: 'failed', cancelled: 'cancelled' } as const;


/** What a full data dir kept from being saved, one line each (none when all is on disk). */
export function notSavedLines(task: Task): string[] {
  return [task.output_error ? `Output not saved in full: ${task.output_error}` : null, task.record_error ? `Record not saved: ${task.record_error}` : null].filter((l): l is string => l !== null);
}

/** "[Task #42 completed] npm test -- --watch — exit code 0 (12.0s)", the output's last lines, how to read more. */
export function endNotice(task: EndedTask, tail: string[]): Notice {
  const ended = terminationOf(task);
  // Ended by us (timeout, cancel, …): say so; ended on its own: its exit status.
  const ours = ended && ended.reason !== 'exit' && ended.reason !== 'signal' ? describeTermination(ended) : null;
  const exitStatus = task.exit_code !== null ? `exit code ${task.exit_code}` : task.signal ? `killed by ${task.signal}` : task.started_at ? 'no exit code' : 'never started';
  const status = ours ?? exitStatus;
  const head = `[Task #${task.id} ${WORD[task.state]}] ${oneLine(taskLabel(task), 120)} — ${status} (${formatDuration(elapsedMs(task))})`;
  const lines = [head];
  if (task.state !== 'done') lines.push(`Error: ${task.error}`);
  if (task.port_clash) lines.push(task.port_clash);
  lines.push(...notSavedLines(task));
  if (task.kind === 'prompt') {
    // A prompt task's news is its answer, not its runner's raw output.
    if (task.result) lines.push(`Result: ${task.result.length > 2000 ? task.result.slice(0, 1999) + '…' : task.result}`);
  } else if (tail.length) lines.push(...tail.map((l) => `  ${l}`));
  lines.push(task.kind === 'prompt' ? `More: task_status {task_id: "${task.id}"}` : `More: task_output {task_id: "${task.id}"}${task.output_bytes > 0 ? ` (${task.output_bytes} bytes)` : ''}`);
  return {
    id: task.id,
    kind: 'ended',
    task_id: task.id,
    state: task.state,
    label: taskLabel(task),
    exit_code: task.exit_code,
    signal: task.signal,
    error: task.state === 'done' ? null : task.error,
    reason: ended?.reason ?? null,
    elapsed_ms: elapsedMs(task),
    text: lines.join('\n'),
    session: task.session,
    created_at: new Date().toISOString(),
  };
}

/** "[Task #7 output] dev server — matched /ready/: Server ready on :5173" */
export function lineNotice(task: Task, pattern: Pattern, line: string, n: number): Notice {
  return {
    id: `${task.id}:line:${n}`,
    kind: 'line',
    task_id: task.id,
    state: task.state,
    label: taskLabel(task),
    exit_code: null,
    signal: null,
    error: null,
    elapsed_ms: elapsedMs(task),
    text: `[Task #${task.id} output] ${oneLine(taskLabel(task), 80)} — matched ${pattern}: ${oneLine(line, 300)}`,
    session: task.session,
    created_at: new Date().toISOString(),
  };
}
