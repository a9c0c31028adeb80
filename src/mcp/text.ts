/** Plain-text renderings of tasks for the `content` every client shows the model. */
import type { Task } from '../core/task.js';
import { describeTermination, elapsedMs, endedAt, errorOf, exitCode, isTerminal, signalOf, startedAt, taskLabel, terminationOf } from '../core/task.js';
import { formatBytes, formatDuration } from '../core/units.js';

export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** "#12 done — npm test — exit code 0 (4.2s)" */
export function taskLine(task: Task): string {
  const parts = [`#${task.id} ${task.state}`, oneLine(taskLabel(task), 60)];
  if (isTerminal(task)) {
    const code = task.signal ? `signal ${task.signal}` : task.exit_code !== null ? `exit code ${task.exit_code}` : null;
    parts.push([code, `(${formatDuration(elapsedMs(task))})`].filter(Boolean).join(' '));
  } else if (task.state === 'running') {
    parts.push(`running for ${formatDuration(elapsedMs(task))}`);
  }
  return parts.join(' — ');
}

export function taskDetails(task: Task, extra: { waiting_for_input?: boolean; output_file?: string } = {}): string {
  const ended = terminationOf(task);
  const rows: Array<[string, string | number | null | undefined]> = [
    ['Task', `#${task.id} (${task.kind})`],
    ['Status', `${task.state}${task.state !== 'pending' ? ` (${formatDuration(elapsedMs(task))})` : ''}`],
    [task.kind === 'shell' ? 'Command' : 'Prompt', task.command ?? task.prompt],
    ['Name', task.name],
    ['Cwd', task.cwd],
    ['Origin', task.origin ?? '(none)'],
    ['Backend', task.backend && task.backend !== 'pty' && task.backend !== 'pipe' ? task.backend + (task.backend_note ? ` (${task.backend_note})` : '') : task.backend_note],
    ['Exit code', exitCode(task)],
    ['Signal', signalOf(task)],
    ['Ended by', ended && ended.reason !== 'exit' ? describeTermination(ended) : null],
    ['Error', errorOf(task)],
    ['Runner', task.runner],
    ['Result', task.result],
    ['Tokens', task.kind === 'prompt' ? `${task.tokens}${task.usage ? ` (input ${task.usage.input_tokens ?? '?'}, output ${task.usage.output_tokens ?? '?'})` : ' (estimated)'}` : null],
    ['Output', `${formatBytes(task.output_bytes)} (~${task.tokens} tokens)${task.output_dropped ? `, ${formatBytes(task.output_dropped)} dropped at the cap` : ''}`],
    ['Output log', task.output_error ?? null],
    ['Waiting for input', extra.waiting_for_input ? 'yes — send it with task_input' : null],
    ['Retry of', task.retry_of ? `#${task.retry_of}` : null],
    ['Created', task.created_at],
    ['Started', startedAt(task)],
    ['Ended', endedAt(task)],
    ['Log', extra.output_file],
  ];
  return rows
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}
