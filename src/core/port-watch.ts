/**
 * The TCP ports each running task listens on, kept in its record (`ports`)
 * so every view shows them: the agent's tools, `bgbash list`, the Tasks page
 * and the strip. Looked at soon after a task starts, then less and less often
 * (every 5 s): a server's port appears within seconds and rarely changes. A
 * caller waiting for the first port (`until_listening`) gets a look every
 * 100 ms while it waits. The looking itself is the backend's (its own process
 * tree, never a port scan).
 */
import type { TaskEmitter } from './events.js';
import type { LiveTask } from './live-task.js';
import type { TaskTable } from './task-table.js';

/** Gaps between looks after a start; then STEADY_MS. */
const SCHEDULE = [150, 300, 600, 1200, 2500];
const STEADY_MS = 5000;
const CLOSE_MS = 100;

export class PortWatch {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; step: number }>();
  /** Tasks someone waits on to listen, with how many wait. */
  private readonly close = new Map<string, number>();

  constructor(
    private readonly table: TaskTable,
    private readonly live: Map<string, LiveTask>,
    private readonly events: TaskEmitter,
  ) {
    events.on('changed', (task, prev) => {
      if (task.state === 'running' && prev.state === 'pending') this.schedule(task.id, 0);
    });
    events.on('ended', (task) => this.stop(task.id));
  }

  private schedule(id: string, step: number): void {
    const old = this.timers.get(id);
    if (old) clearTimeout(old.timer);
    const delay = this.close.has(id) ? CLOSE_MS : (SCHEDULE[step] ?? STEADY_MS);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.refresh(id);
      if (this.table.get(id)?.state === 'running') this.schedule(id, this.close.has(id) ? step : step + 1);
    }, delay);
    // Looking for ports never keeps the server alive.
    timer.unref();
    this.timers.set(id, { timer, step });
  }

  private stop(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t.timer);
    this.timers.delete(id);
    this.close.delete(id);
  }

  /** Looks now; a change goes into the record (and out as a `changed` event). Returns the ports. */
  refresh(id: string): number[] {
    const task = this.table.get(id);
    if (task?.state !== 'running') return [];
    const look = this.live.get(id)?.proc?.listeningPorts;
    if (!look) return [];
    let ports: number[];
    try {
      ports = look();
    } catch {
      return task.ports ?? []; // the process table changed under the read: next time
    }
    if (same(task.ports ?? [], ports)) return ports;
    const next = this.table.update(id, (t) => (t.state === 'running' ? { ...t, ports } : t), true);
    this.events.emit('changed', next, task);
    return ports;
  }

  /** Looks every 100 ms until the returned function is called (a caller waits for the task to listen). */
  closely(id: string): () => void {
    if (this.table.get(id)?.state !== 'running') return () => undefined;
    this.close.set(id, (this.close.get(id) ?? 0) + 1);
    this.schedule(id, this.timers.get(id)?.step ?? 0);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.close.get(id) ?? 1) - 1;
      if (n > 0) this.close.set(id, n);
      else this.close.delete(id);
    };
  }
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
