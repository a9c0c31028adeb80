/**
 * A command that failed because its address was in use: which port, and who
 * holds it — a bgbash task (found by the marker variable its processes carry),
 * or another process of this user (its pid and command). Runs once per such
 * failure, never for a task that ended well.
 */
import os from 'node:os';
import { processTable, readMarker } from '../run/process-table.js';
import type { Stream } from '../run/process.js';
import type { TaskOutputs } from './outputs.js';
import type { TaskTable } from './task-table.js';
import { type Task } from '../shared/task.js';
import { startedAt, terminationOf } from '../shared/task-fields.js';
import { formatDuration } from '../shared/units.js';
// A foreign process's command line is anyone's text: through the printable gate before it reaches an agent or a terminal.
import { oneLine } from '../shared/printable.js';

/** What Node, Python, Go, Ruby, Vite and friends print when a port is taken. */
const IN_USE = /EADDRINUSE|address already in use|port \d{1,5} is (?:already )?in use/i;

/** Where those messages name the port. */
const PORT_IN = [
  /address already in use\s+\S*:(\d{1,5})\b/i, // Node: "listen EADDRINUSE: address already in use :::3000"
  /listen tcp[46]?\s+\S*?:(\d{1,5}):\s*bind/i, // Go: "listen tcp :8080: bind: address already in use"
  /bind\(2\) for \S+ port (\d{1,5})/i, // Ruby: 'Address already in use - bind(2) for "0.0.0.0" port 3000'
  /\bport (\d{1,5}) is (?:already )?in use/i, // Vite, Flask: "Port 5173 is already in use"
  /\('[^']*', (\d{1,5})\)/, // uvicorn: "error while attempting to bind on address ('127.0.0.1', 8000)"
];

/** The port a failed command's output says is taken; null when it says nothing of the kind. */
export function clashedPort(output: string, command: string | null): number | null {
  if (!IN_USE.test(output)) return null;
  for (const re of PORT_IN) {
    const m = re.exec(output);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) return Number(m[1]);
  }
  // Python says only "[Errno 98] Address already in use": a number in the command that something listens on now.
  const listened = processTable().listenedPorts();
  for (const m of (command ?? '').matchAll(/\b(\d{2,5})\b/g)) if (listened.has(Number(m[1]))) return Number(m[1]);
  return null;
}

export interface ClashLookup {
  /** A task by id, or null (any server's: the marker names the server). */
  task(id: string): Task | null;
  now?: number;
}

function home(dir: string): string {
  const h = os.homedir();
  return h && (dir === h || dir.startsWith(h + '/')) ? `~${dir.slice(h.length)}` : dir;
}

/** "port 5173 is held by task 12 (`npm run dev`, persistent, started 20m ago by claude-code in ~/app): reuse it (name `web`) or cancel it". */
export function describeHolder(port: number, lookup: ClashLookup): string {
  const pids = processTable().portHolders(port);
  if (pids.length === 0) return `port ${port} is in use by a process this user cannot see (another user's, or a container's): use another port`;
  for (const pid of pids) {
    const marker = readMarker(pid);
    const id = marker?.slice(marker.lastIndexOf(':') + 1);
    const task = id ? lookup.task(id) : null;
    if (!task) continue;
    const started = startedAt(task);
    const facts = [
      `\`${oneLine(task.command ?? task.prompt ?? '', 80)}\``,
      ...(task.persistent ? ['persistent'] : []),
      `started ${started ? `${formatDuration(Math.max(0, (lookup.now ?? Date.now()) - Date.parse(started)))} ago` : 'earlier'}${task.origin ? ` by ${task.origin}` : ''} in ${home(task.cwd)}`,
    ];
    const reuse = task.name ? `reuse it (name \`${task.name}\`, reuse: true)` : `use it (task_status ${task.id})`;
    return `port ${port} is held by task ${task.id} (${facts.join(', ')}): ${reuse} or cancel it (task_cancel ${task.id})`;
  }
  const pid = pids[0];
  return `port ${port} is held by pid ${pid} (\`${oneLine(processTable().commandLine(pid) || '?', 80)}\`), not a bgbash task: stop it, or use another port`;
}

/** After a task's exit: a shell task that failed saying its port was taken gets `port_clash` in its record. */
export function clashExplainer(table: TaskTable, outputs: TaskOutputs, find: (id: string) => Task | null): (id: string) => Promise<void> {
  return async (id) => {
    const task = table.must(id);
    if (task.state !== 'failed' || task.kind !== 'shell' || terminationOf(task)?.reason !== 'exit') return;
    const tail = async (stream: Stream, size = outputs.size(id, stream)): Promise<string> => (await outputs.read(id, Math.max(0, size - 8192), size, stream)).toString('utf8');
    const port = clashedPort((await tail('stdout')) + (task.pty ? '' : await tail('stderr')), task.command);
    if (port === null) return;
    const clash = describeHolder(port, { task: (ref) => table.get(ref) ?? find(ref) });
    table.update(id, (t) => ({ ...t, port_clash: clash }), true);
  };
}
