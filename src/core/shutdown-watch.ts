/**
 * When the server's shutdown began, for the task deaths that come with it.
 *
 * A client that ends its session may signal the processes under its MCP
 * server itself before it closes the server's stdin: opencode 1.18 walks the
 * tree with `pgrep -P` and SIGTERMs every descendant, then closes stdin. The
 * task's death then reaches the lifecycle a moment before the shutdown does,
 * and "the first reason wins" would record the client's SIGTERM as the
 * task's own failure. So a death by a signal that session ends send waits a
 * moment for a shutdown; if one begins, the task ended because the server
 * shut down.
 */
import type { ExitStatus } from '../run/process.js';

/**
 * How long such a death waits for a shutdown. The client's kills and its
 * closing of stdin are milliseconds apart; this leaves room for a loaded
 * machine. The cost: the notice of a task someone else killed with one of
 * these signals comes this much later.
 */
export const SHUTDOWN_SETTLE_MS = 2000;

/** Signals that end a session's processes: a client's own clean-up (TERM, KILL) and a closed terminal (HUP). */
const SESSION_END_SIGNALS: Record<string, number> = { SIGHUP: 1, SIGKILL: 9, SIGTERM: 15 };

/** A death by one of those signals, or a shell's report of one (exit code 128 + n). */
export function diedOfSessionEnd(status: Pick<ExitStatus, 'exit_code' | 'signal'>): boolean {
  if (status.signal) return status.signal in SESSION_END_SIGNALS;
  return status.exit_code !== null && Object.values(SESSION_END_SIGNALS).some((n) => status.exit_code === 128 + n);
}

export class ShutdownWatch {
  private began = false;
  private readonly waiters = new Set<() => void>();

  get begun(): boolean {
    return this.began;
  }

  /** The shutdown begins: from now on every death is part of it. Call before anything is killed. */
  begin(): void {
    if (this.began) return;
    this.began = true;
    for (const wake of [...this.waiters]) wake();
  }

  /** true as soon as the shutdown begins (at once if it has), false after `ms` without one. */
  within(ms: number): Promise<boolean> {
    if (this.began) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (began: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(began);
      };
      const wake = (): void => done(true);
      // Not a reason to keep the process alive.
      const timer = setTimeout(() => done(false), ms);
      timer.unref();
      this.waiters.add(wake);
    });
  }
}
