/**
 * A task in full, as text — the one rendering of it, for two readers: the
 * agent (`task_status`: plain `Key: value` lines, only what helps it act) and a
 * person at a terminal (`bgbash status`: aligned, the state in colour, every
 * field including where it ran and its deliveries, each value through the
 * printable gate since task fields are hostile input).
 */
import { printable } from '../shared/printable.js';
import { isTerminal, type Task } from '../shared/task.js';
import { backendOf, describeTermination, elapsedMs, endedAt, errorOf, exitCode, portsOf, signalOf, startedAt, terminationOf } from '../shared/task-fields.js';
import { formatBytes, formatDuration } from '../shared/units.js';
import { displayTarget } from '../notify/targets.js';
import { portUrls } from './text.js';

/** What a quiet running task shows where the process table cannot see a read() on stdin (ps, no /proc). */
const UNKNOWN_INPUT = 'unknown (no /proc here: read the output to tell)';

export interface DetailsExtra {
  /** null: the process table cannot tell (ps, no /proc). */
  waiting_for_input?: boolean | null;
  output_file?: string;
  /** A pending task: its place in the machine's queue and who holds the slots. */
  queued?: string | null;
}

/** A person's view: `paint` colours the state (or returns it as it is). */
export interface PersonView {
  paint(state: Task['state'], text: string): string;
}

type Row = [string, string | number | null | undefined];

/** One line per deliver_to outcome, targets shown redacted. */
function deliveries(task: Task): string | null {
  const list = task.deliveries ?? [];
  if (list.length === 0) return null;
  return list
    .map((d) => `${displayTarget(d.target)}: ${d.ok ? 'sent' : `failed${d.error ? ` (${d.error})` : ''}`}${d.attempts > 1 ? `, ${d.attempts} attempts` : ''}`.replace(/\s*\n\s*/g, ' '))
    .join('\n');
}

function rows(task: Task, extra: DetailsExtra, person: PersonView | undefined): Row[] {
  const ended = terminationOf(task);
  const usage = task.usage ? ` (input ${task.usage.input_tokens ?? '?'}, output ${task.usage.output_tokens ?? '?'})` : '';
  const backend = backendOf(task) + (task.backend_note ? ` (${task.backend_note})` : '');
  const local = backendOf(task) === 'pty' || backendOf(task) === 'pipe';
  const dropped = task.output_dropped ? formatBytes(task.output_dropped) : null;
  const status = `${person ? person.paint(task.state, task.state) : task.state}${task.state !== 'pending' ? ` (${formatDuration(elapsedMs(task))})` : ''}`;
  return [
    ...(person ? ([['ID', task.id], ['Status', status], ['Kind', task.kind]] as Row[]) : ([['Task', `#${task.id} (${task.kind})`], ['Status', status]] as Row[])),
    [task.kind === 'prompt' ? 'Prompt' : 'Command', task.command ?? task.prompt],
    ['Name', task.name],
    ['Waiting for', task.state === 'pending' ? (extra.queued ?? null) : null],
    ['Persistent', task.persistent ? 'yes (outlives its session; no default timeout)' : null],
    ['Ports', portsOf(task).length ? portUrls(portsOf(task)) : null],
    ['Cwd', task.cwd],
    ['Origin', task.origin ?? '(none)'],
    ['Session', person ? task.session : null],
    ['Server', person ? task.server : null],
    // The agent hears of the backend only when it is not the usual local one, or something happened to it.
    ['Backend', person || !local ? backend : task.backend_note],
    ['Exit code', person ? (isTerminal(task) ? (exitCode(task) ?? '-') : null) : exitCode(task)],
    ['Signal', signalOf(task)],
    ['Ended by', ended && (person || ended.reason !== 'exit') ? describeTermination(ended) : null],
    ['Error', errorOf(task)],
    ['Port clash', task.port_clash],
    ['Runner', task.runner],
    ['Result', task.result],
    ['Tokens', person ? (usage ? `${task.tokens}${usage}` : task.tokens) : task.kind === 'prompt' ? `${task.tokens}${usage || ' (estimated)'}` : null],
    ['Output', person ? `${formatBytes(task.output_bytes)}${dropped ? ` (+${dropped} dropped at the cap)` : ''}` : `${formatBytes(task.output_bytes)} (~${task.tokens} tokens)${dropped ? `, ${dropped} dropped at the cap` : ''}`],
    ['Output log', person ? null : (task.output_error ?? null)],
    ['Record', person ? null : (task.record_error ?? null)],
    ['Waiting for input', extra.waiting_for_input ? (person ? 'yes' : 'yes — send it with task_input') : extra.waiting_for_input === null ? UNKNOWN_INPUT : null],
    ['Deliver to', person && task.deliver_to.length ? task.deliver_to.map(displayTarget).join(', ') : null],
    ['Deliveries', person ? deliveries(task) : null],
    ['Retry of', task.retry_of ? (person ? task.retry_of : `#${task.retry_of}`) : null],
    ['Created', task.created_at],
    ['Started', startedAt(task)],
    ['Ended', endedAt(task)],
    ['Log', extra.output_file],
  ];
}

/** Fields whose value may run over several lines in a person's view. */
const MULTI_LINE = new Set(['Result', 'Error', 'Deliveries']);

/** The agent's view without `person`; a person's with it. */
export function taskDetails(task: Task, extra: DetailsExtra = {}, person?: PersonView): string {
  const shown = rows(task, extra, person).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!person) return shown.map(([k, v]) => `${k}: ${v}`).join('\n');
  const w = Math.max(...shown.map(([k]) => k.length)) + 1;
  // Status carries our own colour; every other value is the task's and goes through the gate. A newline in
  // a name or command would print a line that reads as another row: those show on one line, with ⏎ where
  // the newline was; longer texts (a result, an error) keep their lines, indented under their field.
  const value = (k: string, v: Row[1]): string => {
    if (k === 'Status') return String(v);
    const text = printable(String(v)).replace(/\t/g, ' ');
    return MULTI_LINE.has(k) ? text.replace(/\n/g, '\n' + ' '.repeat(w + 1)) : text.replace(/\n/g, ' ⏎ ');
  };
  return shown.map(([k, v]) => `${(k + ':').padEnd(w)} ${value(k, v)}`).join('\n');
}
