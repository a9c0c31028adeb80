/** Plain-text renderings of tasks for the `content` every client shows the model. */
import type { Task } from '../shared/task.js';
import { isTerminal } from '../shared/task.js';
import { elapsedMs, portsOf, taskLabel } from '../shared/task-fields.js';
import { formatDuration } from '../shared/units.js';
import { oneLine } from '../shared/printable.js';

// One rule for a field on one line, shared with notices: the printable gate strips bidi controls too.
export { oneLine };

/** "#12 done — npm test — exit code 0 (4.2s)" */
export function taskLine(task: Task): string {
  const parts = [`#${task.id} ${task.state}`, oneLine(taskLabel(task), 60)];
  if (isTerminal(task)) {
    const code = task.signal ? `signal ${task.signal}` : task.exit_code !== null ? `exit code ${task.exit_code}` : null;
    parts.push([code, `(${formatDuration(elapsedMs(task))})`].filter(Boolean).join(' '));
  } else if (task.state === 'running') {
    parts.push(`running for ${formatDuration(elapsedMs(task))}`);
  }
  if (task.persistent && !isTerminal(task)) parts.push('persistent');
  const ports = portsOf(task);
  if (ports.length) parts.push(portUrls(ports));
  return parts.join(' — ');
}

/** "http://localhost:5173, http://localhost:24678": where the agent reaches what a task serves. */
export function portUrls(ports: number[]): string {
  return ports.map((p) => `http://localhost:${p}`).join(', ');
}

