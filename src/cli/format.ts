/** How the CLI shows tasks: tables, details, colours by state (off with NO_COLOR or when not a terminal). */
import os from 'node:os';
import { isTerminal, type Task } from '../shared/task.js';
import { elapsedLabel, portsOf, startedAt, taskLabel } from '../shared/task-fields.js';
import { printable } from '../shared/printable.js';
import { STATE_COLOR } from '../tui/state-color.js';
import { cutToWidth, displayWidth, padToWidth } from '../tui/width.js';

export const colorOn = (): boolean => !process.env.NO_COLOR && process.stdout.isTTY === true;

export function paintState(state: Task['state'], text: string = state): string {
  return colorOn() ? STATE_COLOR[state](text) : text;
}

function truncate(text: string, width: number): string {
  const flat = printable(text).replace(/\s+/g, ' ').trim();
  return displayWidth(flat) > width ? cutToWidth(flat, Math.max(0, width - 1)) + '…' : flat;
}

function started(task: Task): string {
  const at = startedAt(task);
  if (!at) return '-';
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toTimeString().slice(0, 8) : d.toISOString().slice(0, 16).replace('T', ' ');
}


/** What a task's status cell says: its state, "+" for a live persistent task (it outlives its session). */
function statusCell(task: Task): string {
  return task.persistent && !isTerminal(task) ? `${task.state}+` : task.state;
}

/** Whose a task is, for a person: the agent that started it and where ("claude-code ~/app"). */
export function ownerLabel(task: Task): string {
  const home = os.homedir();
  const dir = task.cwd === home ? '~' : task.cwd.startsWith(home + '/') ? '~' + task.cwd.slice(home.length) : task.cwd;
  return truncate(`${task.origin ?? '-'} ${dir}`, 32);
}

/** The seed's columns: ID, status, prompt/command, started, duration, ports (+ the agent when several sessions, + server when several). */
export function taskTable(tasks: Task[], width = process.stdout.columns || 100): string {
  const showServer = new Set(tasks.map((t) => t.server)).size > 1;
  const showAgent = new Set(tasks.map((t) => t.session)).size > 1;
  const showPorts = tasks.some((t) => portsOf(t).length > 0);
  const head = ['ID', 'STATUS', 'STARTED', 'DURATION', ...(showPorts ? ['PORTS'] : []), ...(showAgent ? ['AGENT'] : []), ...(showServer ? ['SERVER'] : [])];
  const rows = tasks.map((t) => [t.id, statusCell(t), started(t), elapsedLabel(t), ...(showPorts ? [portsOf(t).join(',') || '-'] : []), ...(showAgent ? [ownerLabel(t)] : []), ...(showServer ? [t.server] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fixed = widths.reduce((a, b) => a + b + 2, 0);
  const cmdWidth = Math.max(10, width - fixed - 1);
  const pad = (cells: string[], cmd: string, state?: Task['state']): string => {
    const [id, status, ...restCells] = cells;
    const statusCell = state ? paintState(state, status.padEnd(widths[1])) : status.padEnd(widths[1]);
    return [id.padEnd(widths[0]), statusCell, padToWidth(truncate(cmd, cmdWidth), cmdWidth), ...restCells.map((c, i) => c.padEnd(widths[i + 2]))].join('  ').trimEnd();
  };
  const lines = [pad(head, 'COMMAND')];
  const legend = tasks.some((t) => t.persistent && !isTerminal(t)) ? '(+ persistent: outlives its session)' : null;
  tasks.forEach((t, i) => lines.push(pad(rows[i], taskLabel(t), t.state)));
  if (legend) lines.push(legend);
  return lines.join('\n');
}

