/**
 * The Tasks page, as the seed describes it: title bar "Background Tasks", a
 * table ID / Prompt / Status / Elapsed (newest first, the selected row marked
 * "> "), "No active tasks" when there are none, a detail panel (Enter) with
 * Status / Origin / Tokens / Prompt / Result / Error, keys Up/k Down/j Enter
 * Esc c r (and q / Ctrl+C to quit), status messages for 3 seconds, a refresh
 * every 2 seconds.
 */
import chalk from 'chalk';
import fs from 'node:fs';
import path from 'node:path';
import { isTerminal, type Task } from '../shared/task.js';
import { describeTermination, elapsedLabel, elapsedMs, errorOf, portsOf, taskLabel, terminationOf } from '../shared/task-fields.js';
import { formatDuration } from '../shared/units.js';
import { cleanText } from '../run/clean.js';
import { renderTextNow } from '../run/render.js';
import { columns, fit, split, wrap } from './layout.js';
import { STATE_COLOR } from './state-color.js';
import { padToWidth } from './width.js';
import { fileIn } from '../store/task-files.js';

export const TITLE = 'Background Tasks';
export const EMPTY = 'No active tasks';
export const DETAIL_HEADING = '─── Task Detail ───';
export const HELP = 'enter details  ↑/k up  ↓/j down  esc back  c cancel  r retry  q quit';
export const MESSAGE_TTL_MS = 3000;

export interface PageState {
  selectedId: string | null;
  detailOpen: boolean;
  detailScroll: number;
  tableOffset: number;
  message: { text: string; until: number } | null;
}

export function initialState(): PageState {
  return { selectedId: null, detailOpen: false, detailScroll: 0, tableOffset: 0, message: null };
}

export interface Style {
  color: boolean;
}

function selectedIndex(tasks: Task[], state: PageState): number {
  const i = tasks.findIndex((t) => t.id === state.selectedId);
  return i >= 0 ? i : 0;
}

/** Moves the cursor (or scrolls the open detail panel). */
export function move(tasks: Task[], state: PageState, delta: number): void {
  if (state.detailOpen) {
    state.detailScroll = Math.max(0, state.detailScroll + delta);
    return;
  }
  if (tasks.length === 0) return;
  const i = Math.min(tasks.length - 1, Math.max(0, selectedIndex(tasks, state) + delta));
  state.selectedId = tasks[i].id;
}

export function selected(tasks: Task[], state: PageState): Task | null {
  return tasks.length ? tasks[selectedIndex(tasks, state)] : null;
}

/** The Result field: a prompt task's answer, a shell task's last output lines once it ended. */
export function resultText(task: Task, tasksDir: string): string | null {
  if (task.result) return task.result;
  if (!isTerminal(task) || task.kind !== 'shell') return null;
  // An ended task's log no longer changes: read and rendered once, not at every redraw (every 2 s, every key).
  const key = path.join(tasksDir, task.id);
  if (!ENDED_RESULTS.has(key)) {
    if (ENDED_RESULTS.size >= 100) ENDED_RESULTS.delete(ENDED_RESULTS.keys().next().value!);
    ENDED_RESULTS.set(key, readResult(task, tasksDir));
  }
  return ENDED_RESULTS.get(key)!;
}

const ENDED_RESULTS = new Map<string, string | null>();

function readResult(task: Task, tasksDir: string): string | null {
  try {
    const file = fileIn(path.join(tasksDir, task.id), 'output');
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    fs.closeSync(fd);
    // As a terminal showed the last bytes (the configured default size: the page has no config of its own).
    const text = renderTextNow(buf, { cols: 120, rows: 30, pty: task.pty }) ?? cleanText(buf.toString('utf8'));
    const lines = text.split('\n').filter((l) => l.trim());
    return lines.slice(-5).join('\n') || null;
  } catch {
    return null;
  }
}

function detailLines(task: Task, width: number, tasksDir: string): string[] {
  const ended = terminationOf(task);
  // Ended by a timeout, a cancel, a shutdown…: the reason next to the state; an exit speaks for itself.
  const why = ended && ended.reason !== 'exit' && ended.reason !== 'signal' ? `, ${describeTermination(ended)}` : '';
  const field = (label: string, value: string): string[] => {
    const pad = ' '.repeat(label.length + 2);
    const body = wrap(value, Math.max(10, width - pad.length));
    return body.map((line, i) => (i === 0 ? `${label}: ${line}` : `${pad}${line}`));
  };
  return [
    ...field('Status', task.state === 'pending' ? 'pending' : `${task.state} (${formatDuration(elapsedMs(task))}${why})`),
    ...(task.persistent ? field('Persistent', 'yes: outlives its agent session, no default timeout') : []),
    ...(portsOf(task).length ? field('Ports', portsOf(task).map((p) => `${p} (http://localhost:${p})`).join(', ')) : []),
    ...field('Origin', task.origin ?? '(none)'),
    ...field('Tokens', String(task.tokens)),
    ...field('Prompt', task.prompt ?? task.command ?? ''),
    ...field('Result', resultText(task, tasksDir) ?? '(none)'),
    ...field('Error', errorOf(task) ?? '(none)'),
    ...(task.port_clash ? field('Port clash', task.port_clash) : []),
  ];
}

/** The page as lines, exactly `height` of them, each at most `width` wide. */
export function renderPage(tasks: Task[], state: PageState, width: number, height: number, style: Style, tasksDir: string, now = Date.now()): string[] {
  const paint = (fn: (s: string) => string, s: string): string => (style.color ? fn(s) : s);
  const layout = split(height, state.detailOpen && tasks.length > 0);
  const lines: string[] = [];
  const message = state.message && state.message.until > now ? state.message.text : '';
  const titleRoom = Math.max(0, width - TITLE.length - 1);
  const title = `${TITLE}${message ? ' '.repeat(Math.max(1, titleRoom - message.length + 1)) + fit(message, titleRoom) : ''}`;
  lines.push(paint(chalk.bold.inverse, padToWidth(fit(title, width), width)));

  if (!layout.fullScreenDetail) {
    const idWidth = Math.max(2, ...tasks.map((t) => t.id.length));
    const c = columns(width, idWidth);
    const row = (mark: string, id: string, prompt: string, status: string, elapsed: string, state?: Task['state']): string => {
      const cells = [mark + padToWidth(fit(id, c.id), c.id), padToWidth(fit(prompt, c.prompt), c.prompt), state ? paint(STATE_COLOR[state], padToWidth(fit(status, c.status), c.status)) : padToWidth(fit(status, c.status), c.status)];
      if (c.elapsed) cells.push(fit(elapsed, c.elapsed));
      return cells.join(c.elapsed ? '   ' : '  ');
    };
    lines.push(paint(chalk.bold, row('  ', 'ID', 'Prompt', 'Status', 'Elapsed')));
    lines.push('─'.repeat(width));
    if (tasks.length === 0) {
      lines.push(`  ${EMPTY}`);
    } else {
      const sel = selectedIndex(tasks, state);
      const rows = layout.taskRows;
      if (sel < state.tableOffset) state.tableOffset = sel;
      if (sel >= state.tableOffset + rows) state.tableOffset = sel - rows + 1;
      state.tableOffset = Math.max(0, Math.min(state.tableOffset, Math.max(0, tasks.length - rows)));
      for (const t of tasks.slice(state.tableOffset, state.tableOffset + rows)) {
        const el = elapsedLabel(t, now);
        // "+": a live persistent task (a server or watcher that outlives its session).
        const status = t.persistent && !isTerminal(t) ? `${t.state}+` : t.state;
        const line = row(t.id === tasks[sel].id ? '> ' : '  ', t.id, taskLabel(t), status, el, t.state);
        lines.push(t.id === tasks[sel].id && style.color ? chalk.bold(line) : line);
      }
    }
  }
  const tableEnd = layout.fullScreenDetail ? 1 : layout.table - (layout.detail ? 0 : 1);
  while (lines.length < tableEnd) lines.push('');
  lines.length = tableEnd;

  if (layout.detail > 0) {
    const task = selected(tasks, state)!;
    lines.push(paint(chalk.bold, fit(DETAIL_HEADING, width)));
    const body = detailLines(task, width, tasksDir);
    const maxScroll = Math.max(0, body.length - layout.detailBody);
    state.detailScroll = Math.min(state.detailScroll, maxScroll);
    const shown = body.slice(state.detailScroll, state.detailScroll + layout.detailBody);
    for (const l of shown) lines.push(fit(l, width));
    while (lines.length < height - 1) lines.push('');
  }
  lines.length = Math.min(lines.length, height - 1);
  while (lines.length < height - 1) lines.push('');
  lines.push(paint(chalk.dim, fit(HELP, width)));
  return lines;
}
