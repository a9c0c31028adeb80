/**
 * What a person is told when a task ends, before any service's formatting:
 * which task, its state, exit status, elapsed time, the machine, the last
 * lines of output. Built once per ended task and shared by every deliver_to
 * target; env values never leave through it (they are taken out of the
 * output lines too, in case the command printed them), nor do the secrets of
 * the environment the server runs in (secrets.ts).
 */
import os from 'node:os';
import type { EndedTask, Task } from '../shared/task.js';
import { elapsedMs, taskLabel } from '../shared/task-fields.js';
import { formatDuration } from '../shared/units.js';
import { environmentSecrets, maskDeep, maskValues } from './secrets.js';

export interface EndReport {
  taskId: string;
  /** Name, command or prompt, on one line. */
  label: string;
  state: EndedTask['state'];
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  elapsedMs: number;
  host: string;
  /** Last lines of output (for a prompt task, its answer's last lines), env values replaced. */
  tail: string[];
}

const WORD: Record<EndedTask['state'], string> = { done: 'completed', failed: 'failed', cancelled: 'cancelled' };

/** Env values shorter than this are left alone: "1" or "yes" would blank half of any output. */
const MIN_SECRET_LENGTH = 4;

/** Values a delivery must not carry, as [name, value]: the task's own env values, and the secrets of the environment it ran in. */
export type Masks = ReadonlyArray<readonly [string, string]>;

export function deliveryMasks(taskEnv: Record<string, string> | undefined, environment: NodeJS.ProcessEnv = process.env): Masks {
  const own = Object.entries(taskEnv ?? {}).filter(([, v]) => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH);
  return [...own, ...environmentSecrets(environment)];
}

/** Replaces every value of `env` found in `text` with `$NAME`, longest values first. */
export function scrubEnv(text: string, env: Record<string, string>): string {
  return maskValues(text, Object.entries(env).filter(([, v]) => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH));
}

export function buildReport(task: EndedTask, tail: string[], host = os.hostname(), masks: Masks = deliveryMasks(task.env)): EndReport {
  const lines = task.kind === 'prompt' && task.result ? task.result.split('\n') : tail;
  return {
    taskId: task.id,
    label: maskValues(taskLabel(task).replace(/\s+/g, ' ').trim(), masks),
    state: task.state,
    exitCode: task.exit_code,
    signal: task.signal,
    error: task.state === 'done' ? null : maskValues(task.error, masks),
    elapsedMs: elapsedMs(task),
    host,
    tail: lines.map((l) => maskValues(l, masks).replace(/\s+$/, '')),
  };
}

/** "Task #42 completed" */
export function headline(r: EndReport): string {
  return `Task #${r.taskId} ${WORD[r.state]}`;
}

/** "exit code 0 · 12.0s · on build-box" (or the signal, or why it never started). */
export function statusLine(r: EndReport): string {
  const status = r.exitCode !== null ? `exit code ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : 'no exit code';
  return `${status} · ${formatDuration(r.elapsedMs)} · on ${r.host}`;
}

/** The error, when it says more than the exit status already does ("timed out after 30m", "cancelled by request"). */
export function errorNote(r: EndReport): string | null {
  if (!r.error || /^(exited with code|killed by signal)/.test(r.error)) return null;
  return r.error;
}

/** Cuts `text` to at most `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, Math.max(0, max - 1)).join('') + '…' : text;
}

/**
 * The last lines that fit in `budget` units as measured by `size` (characters
 * or bytes, per service), each line clipped to `lineMax` first. Oldest lines
 * are dropped first: the end of the output is what tells what happened.
 */
export function lastLinesWithin(lines: string[], budget: number, lineMax: number, size: (s: string) => number = (s) => [...s].length): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = clip(lines[i], lineMax);
    const cost = size(line) + 1;
    if (used + cost > budget) break;
    out.unshift(line);
    used += cost;
  }
  return out;
}

/**
 * The task as sent to webhook and command targets: the record without env
 * values (names kept, so a receiver sees which were set), with deliver_to
 * as stored (secrets redacted) and every masked value taken out of its text.
 */
export function publicTask(task: Task, masks: Masks = deliveryMasks(task.env)): Task {
  const env = Object.fromEntries(Object.keys(task.env ?? {}).map((k) => [k, '[redacted]']));
  return { ...maskDeep(task, masks), env };
}
