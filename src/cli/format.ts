/** How the CLI shows tasks: tables, details, colours by state (off with NO_COLOR or when not a terminal). */
import chalk from 'chalk';
import { backendOf, describeTermination, elapsedMs, endedAt, errorOf, exitCode, isTerminal, signalOf, startedAt, taskLabel, terminationOf, type Task } from '../core/task.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { displayTarget } from '../notify/targets.js';
import { printable } from '../core/printable.js';

export const colorOn = (): boolean => !process.env.NO_COLOR && process.stdout.isTTY === true;

export const STATE_COLOR: Record<Task['state'], (s: string) => string> = {
  pending: chalk.yellow,
  running: chalk.cyan,
  done: chalk.green,
  failed: chalk.red,
  cancelled: chalk.gray,
};

export function paintState(state: Task['state'], text: string = state): string {
  return colorOn() ? STATE_COLOR[state](text) : text;
}

function truncate(text: string, width: number): string {
  const flat = printable(text).replace(/\s+/g, ' ').trim();
  return flat.length > width ? flat.slice(0, Math.max(0, width - 1)) + '…' : flat;
}

function started(task: Task): string {
  const at = (task as { started_at?: string | null }).started_at;
  if (!at) return '-';
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toTimeString().slice(0, 8) : d.toISOString().slice(0, 16).replace('T', ' ');
}

function duration(task: Task): string {
  return task.state === 'pending' ? '-' : formatDuration(elapsedMs(task));
}

/** The seed's columns: ID, status, prompt/command, started, duration (+ server when several). */
export function taskTable(tasks: Task[], width = process.stdout.columns || 100): string {
  const showServer = new Set(tasks.map((t) => t.server)).size > 1;
  const head = ['ID', 'STATUS', 'STARTED', 'DURATION', ...(showServer ? ['SERVER'] : [])];
  const rows = tasks.map((t) => [t.id, t.state, started(t), duration(t), ...(showServer ? [t.server] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fixed = widths.reduce((a, b) => a + b + 2, 0);
  const cmdWidth = Math.max(10, width - fixed - 1);
  const pad = (cells: string[], cmd: string, state?: Task['state']): string => {
    const [id, status, ...restCells] = cells;
    const statusCell = state ? paintState(state, status.padEnd(widths[1])) : status.padEnd(widths[1]);
    return [id.padEnd(widths[0]), statusCell, truncate(cmd, cmdWidth).padEnd(cmdWidth), ...restCells.map((c, i) => c.padEnd(widths[i + 2]))].join('  ').trimEnd();
  };
  const lines = [pad(head, 'COMMAND')];
  tasks.forEach((t, i) => lines.push(pad(rows[i], taskLabel(t), t.state)));
  return lines.join('\n');
}

/** One line per deliver_to outcome, targets shown redacted. */
function deliveries(task: Task): string | null {
  const list = task.deliveries ?? [];
  if (list.length === 0) return null;
  return list
    .map((d) => `${displayTarget(d.target)}: ${d.ok ? 'sent' : `failed${d.error ? ` (${d.error})` : ''}`}${d.attempts > 1 ? `, ${d.attempts} attempts` : ''}`)
    .join('\n    ');
}

export function taskDetails(task: Task, extra: { waiting_for_input?: boolean; output_file?: string } = {}): string {
  const ended = terminationOf(task);
  const rows: Array<[string, string | number | null | undefined]> = [
    ['ID', task.id],
    ['Status', `${paintState(task.state)}${task.state !== 'pending' ? ` (${formatDuration(elapsedMs(task))})` : ''}`],
    ['Kind', task.kind],
    [task.kind === 'prompt' ? 'Prompt' : 'Command', task.command ?? task.prompt],
    ['Name', task.name],
    ['Cwd', task.cwd],
    ['Origin', task.origin ?? '(none)'],
    ['Session', task.session],
    ['Server', task.server],
    ['Backend', backendOf(task) + (task.backend_note ? ` (${task.backend_note})` : '')],
    ['Exit code', isTerminal(task) ? (exitCode(task) ?? '-') : null],
    ['Signal', signalOf(task)],
    ['Ended by', ended ? describeTermination(ended) : null],
    ['Error', errorOf(task)],
    ['Runner', task.runner],
    ['Result', task.result],
    ['Tokens', task.usage ? `${task.tokens} (input ${task.usage.input_tokens ?? '?'}, output ${task.usage.output_tokens ?? '?'})` : task.tokens],
    ['Output', `${formatBytes(task.output_bytes)}${task.output_dropped ? ` (+${formatBytes(task.output_dropped)} dropped at the cap)` : ''}`],
    ['Waiting for input', extra.waiting_for_input ? 'yes' : null],
    ['Deliver to', task.deliver_to.length ? task.deliver_to.map(displayTarget).join(', ') : null],
    ['Deliveries', deliveries(task)],
    ['Retry of', task.retry_of],
    ['Created', task.created_at],
    ['Started', startedAt(task)],
    ['Ended', endedAt(task)],
    ['Log', extra.output_file],
  ];
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const w = Math.max(...shown.map(([k]) => k.length)) + 1;
  // Status carries our own colour; every other value is the task's and goes through the gate.
  return shown.map(([k, v]) => `${(k + ':').padEnd(w)} ${k === 'Status' ? v : printable(String(v))}`).join('\n');
}
