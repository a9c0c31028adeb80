/**
 * Reading a task record: what every display and answer asks of it (its
 * times, label, exit, ports, why it ended) without switching on its state.
 * The record itself and its one writer are in task.ts.
 */
import { formatDuration } from './units.js';
import { isTerminal, type Task, type Termination } from './task.js';

/** Milliseconds since start, or the whole run for a finished task. */
export function elapsedMs(task: Task, now = Date.now()): number {
  if (task.state === 'pending') return 0;
  const start = task.started_at ? Date.parse(task.started_at) : null;
  if (start === null) return 0;
  const end = isTerminal(task) ? Date.parse(task.ended_at) : now;
  return Math.max(0, end - start);
}

/** Elapsed time as shown everywhere (strip, Tasks page, list, status, attach): "-" while pending, else the duration. */
export function elapsedLabel(task: Task, now = Date.now()): string {
  return task.state === 'pending' ? '-' : formatDuration(elapsedMs(task, now));
}

/** What a task runs, for one-line displays: its name, else its command or prompt. */
export function taskLabel(task: Task): string {
  return task.name ?? task.command ?? task.prompt ?? '';
}

/**
 * Flat reads of fields that exist only in some states, so callers need no
 * casts: null where the state has no such field.
 */
export function startedAt(task: Task): string | null {
  return task.state === 'pending' ? null : task.started_at;
}
export function endedAt(task: Task): string | null {
  return isTerminal(task) ? task.ended_at : null;
}
/** When anything last happened to it: its end, its start, or its creation. */
export function lastUpdatedAt(task: Task): string {
  return endedAt(task) ?? startedAt(task) ?? task.created_at;
}
export function exitCode(task: Task): number | null {
  return isTerminal(task) ? task.exit_code : null;
}
export function signalOf(task: Task): string | null {
  return isTerminal(task) ? task.signal : null;
}
export function errorOf(task: Task): string | null {
  return task.state === 'failed' || task.state === 'cancelled' ? task.error : null;
}
export function pidOf(task: Task): number | null {
  return task.state === 'running' ? task.pid : null;
}
/** The TCP ports a running task listens on ([] otherwise). */
export function portsOf(task: Task): number[] {
  return task.state === 'running' ? (task.ports ?? []) : [];
}

/** Why an ended task ended; records from before reasons were data get one from their fields. */
export function terminationOf(task: Task): Termination | null {
  if (!isTerminal(task)) return null;
  if (task.termination) return task.termination;
  if (task.state === 'cancelled') return /server shut down/.test(task.error) ? { reason: 'shutdown' } : { reason: 'cancelled', by: null };
  if (task.state === 'failed' && task.started_at === null) return { reason: /exited before it started/.test(task.error) ? 'server_lost' : 'spawn_error' };
  if (task.state === 'failed' && /timed out/.test(task.error)) return { reason: 'timeout' };
  if (task.state === 'failed' && /bgbash server that ran this task/.test(task.error)) return { reason: 'server_lost' };
  return { reason: task.signal && task.exit_code === null ? 'signal' : 'exit' };
}

/** The backend that ran (or runs) a task; records from before backends were data get one from their fields. */
export function backendOf(task: Task): string {
  if (task.backend) return task.backend;
  if (task.kind === 'prompt') return task.runner === 'sampling' ? 'sampling' : 'agent';
  return task.pty ? 'pty' : 'pipe';
}

const WHO: Record<string, string> = { agent: 'the agent', client: 'the client', cli: 'bgbash cancel', 'tasks page': 'the Tasks page', 'session end': 'the end of its session' };

/** "timed out", "cancelled by the agent", …: the reason in a few words, for lists and notices. */
export function describeTermination(t: Termination): string {
  switch (t.reason) {
    case 'exit':
      return 'exited';
    case 'signal':
      return 'killed by a signal';
    case 'timeout':
      return 'timed out';
    case 'cancelled':
      return t.by ? `cancelled by ${WHO[t.by] ?? t.by}` : 'cancelled';
    case 'shutdown':
      return 'server shut down';
    case 'server_lost':
      return 'server lost';
    case 'spawn_error':
      return 'could not start';
    case 'output_limit':
      return 'output limit';
    case 'connection_lost':
      return 'connection lost';
  }
}
