/**
 * Foreground runs: a caller waiting for a task to end. Detaching — Ctrl+B from
 * a person, the yield time passing, an `until` pattern matching, a control
 * request — resolves the wait at once with the output so far; the process is
 * untouched and carries on as a background task.
 */
import type { Pattern } from './pattern.js';
import { setLongTimeout } from './long-timeout.js';
import { UserError } from '../shared/errors.js';
import type { DetachReason, DetachSource } from './events.js';
import { LineWatcher } from './line-watch.js';
import type { TaskManager } from './manager.js';
import { isTerminal, type Task } from '../shared/task.js';
import { portsOf } from '../shared/task-fields.js';

export interface ForegroundOptions {
  yieldAfterMs: number;
  until: Pattern | null;
  /** Return once the task listens on a TCP port. */
  untilListening?: boolean;
  signal?: AbortSignal;
}

export interface ForegroundOutcome {
  task: Task;
  detached: DetachReason | null;
  /** The line that matched `until`, when that is why it returned. */
  matched: string | null;
  /** Who detached it, when `detached` is 'request'. */
  by: DetachSource | null;
}

export class ForegroundRuns {
  /** Task id → how to stop waiting on it, newest last. */
  private readonly waiting = new Map<string, (reason: DetachReason, by?: DetachSource) => void>();
  /**
   * Foreground tasks still starting (their caller waits once the start is
   * done), with who asked for a detach in that time. A person who sees the task
   * running can detach it at once, however slow the start.
   */
  private readonly starting = new Map<string, DetachSource | null>();

  constructor(private readonly manager: TaskManager) {
    manager.on('foreground', (id) => this.starting.set(id, null));
    // A start that threw never reaches wait(). ('settled' comes after 'ended',
    // whose listeners still see the task as waited on.)
    manager.on('settled', (task) => this.starting.delete(task.id));
  }

  /** A caller is waiting on this task: when it ends, that caller gets the result itself. */
  isWaiting(id: string): boolean {
    return this.waiting.has(id) || this.starting.has(id);
  }

  /** Ids of tasks a caller is waiting on right now, newest first (of one agent session, when given). */
  current(session?: string): string[] {
    const ids = [...this.waiting.keys(), ...this.starting.keys()].reverse();
    return session === undefined ? ids : ids.filter((id) => this.manager.get(id).session === session);
  }

  /** Detaches one foreground run (default: the newest, of `session` when given), at `by`'s request. Returns its id. */
  detach(ref: string | undefined, by: DetachSource, session?: string): string {
    const id = ref ? this.manager.get(ref).id : this.current(session)[0];
    if (!id) throw new UserError('no foreground run to detach: no bash call is waiting on a command right now');
    if (this.starting.has(id)) {
      this.starting.set(id, by);
      return id;
    }
    const stop = this.waiting.get(id);
    if (!stop) throw new UserError(`task ${id} is not a foreground run (it is already in the background)`, 'task_id');
    stop('request', by);
    return id;
  }

  wait(id: string, opts: ForegroundOptions): Promise<ForegroundOutcome> {
    return new Promise((resolve) => {
      let matched: string | null = null;
      const cleanup: Array<() => void> = [];
      const finish = (detached: DetachReason | null, by: DetachSource | null = null): void => {
        for (const fn of cleanup) fn();
        this.waiting.delete(id);
        if (detached) this.manager.emit('detached', id, detached);
        resolve({ task: this.manager.fresh(id), detached, matched, by: detached === 'request' ? by : null });
      };
      const onEnd = (task: Task): void => {
        if (task.id === id) void this.manager.processGone(id).then(() => finish(null));
      };
      this.manager.on('ended', onEnd);
      cleanup.push(() => this.manager.off('ended', onEnd));
      this.waiting.set(id, finish);
      if (opts.yieldAfterMs > 0) {
        const t = setLongTimeout(() => finish('yield'), opts.yieldAfterMs);
        cleanup.push(() => t.clear());
      }
      if (opts.until) {
        const watcher = new LineWatcher(opts.until, (line) => {
          if (matched === null) {
            matched = line;
            // Let the rest of this chunk land in the log before the caller reads it.
            setImmediate(() => this.waiting.get(id)?.('until'));
          }
        });
        const onOutput = (tid: string, chunk: Buffer): void => {
          if (tid === id) watcher.feed(chunk);
        };
        this.manager.on('output', onOutput);
        cleanup.push(() => this.manager.off('output', onOutput));
      }
      if (opts.untilListening) {
        const onChanged = (task: Task): void => {
          if (task.id === id && portsOf(task).length) this.waiting.get(id)?.('listening');
        };
        this.manager.on('changed', onChanged);
        cleanup.push(() => this.manager.off('changed', onChanged), this.manager.portWatch.closely(id));
      }
      if (opts.signal) {
        // The client gave up on the call (cancelled it, or went away): the task
        // keeps running in the background, as with any other detach.
        const onAbort = (): void => this.waiting.get(id)?.('client');
        opts.signal.addEventListener('abort', onAbort, { once: true });
        cleanup.push(() => opts.signal!.removeEventListener('abort', onAbort));
      }
      const early = this.starting.get(id);
      this.starting.delete(id);
      const task = this.manager.get(id);
      if (isTerminal(task)) void this.manager.processGone(id).then(() => finish(null));
      else if (early) finish('request', early);
      else if (opts.untilListening && this.manager.ports(id).length) finish('listening');
    });
  }
}
