/**
 * The task strip: one line — running count, pending count only when > 0, and
 * the latest task's name (cut to 30 characters), status and elapsed time.
 * Empty (hidden) when there are no tasks. The seed's own text:
 * ` Tasks: N running  M pending | <name cut to 27 + "..."> <status> <elapsed>`.
 */
import { isTerminal, type Task } from '../shared/task.js';
import { elapsedLabel, portsOf, taskLabel } from '../shared/task-fields.js';
import { printable } from '../shared/printable.js';
import { cutToWidth, displayWidth } from './width.js';

export const STRIP_NAME_MAX = 30;

export function cutName(name: string): string {
  const flat = printable(name).replace(/\s+/g, ' ').trim();
  return displayWidth(flat) > STRIP_NAME_MAX ? cutToWidth(flat, STRIP_NAME_MAX - 3) + '...' : flat;
}

/** The strip's text for `width` columns ('' when there are no tasks). */
export function stripText(tasks: Task[], width: number, now = Date.now()): string {
  if (tasks.length === 0) return '';
  const running = tasks.filter((t) => t.state === 'running').length;
  const pending = tasks.filter((t) => t.state === 'pending').length;
  const latest = [...tasks].sort((a, b) => b.created_at.localeCompare(a.created_at) || Number(b.id) - Number(a.id))[0];
  // Live persistent tasks (servers, watchers) are counted apart; the newest one listening shows its first port.
  const persistent = tasks.filter((t) => t.persistent && !isTerminal(t)).length;
  const port = tasks.filter((t) => portsOf(t).length > 0).sort((a, b) => Number(b.id) - Number(a.id))[0];
  const extra = `${persistent > 0 ? ` (${persistent} persistent)` : ''}${port ? ` :${portsOf(port)[0]}` : ''}`;
  const counts = ` Tasks: ${running} running${extra}${pending > 0 ? `  ${pending} pending` : ''}`;
  const tail = ` ${latest.state} ${elapsedLabel(latest, now)}`;
  const name = cutName(taskLabel(latest));
  const full = `${counts} | ${name}${tail}`;
  if (displayWidth(full) <= width) return full;
  // Narrow terminal: the name is shown as the seed cuts it or not at all (never cut shorter),
  // then the latest task's status and elapsed time go, then the pending count.
  const nameless = `${counts} |${tail}`;
  if (displayWidth(nameless) <= width) return nameless;
  if (counts.length <= width) return counts;
  return ` ${running} running`.slice(0, width);
}
