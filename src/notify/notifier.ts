/**
 * Produces notices from the TaskManager's events — one per task that ends
 * while no caller is waiting on it, and one per watched line (`notify_on`) —
 * stores each in its session's inbox and hands it to the agent's sinks (MCP
 * notifications). What the agent has demonstrably seen (a foreground result,
 * a task_status/task_output showing the end, a hook that drained the inbox)
 * is not told again.
 *
 * deliver_to targets are for people and systems outside the session: every
 * ended task goes to its targets once, whatever the agent saw.
 */
import { compileRegex, type Pattern } from '../core/pattern.js';
import type { ForegroundRuns } from '../core/foreground.js';
import { LineWatcher } from '../core/line-watch.js';
import type { TaskManager } from '../core/manager.js';
import { readWindow } from '../core/output-view.js';
import { isTerminal, type EndedTask, type Task } from '../shared/task.js';
import { claimNotice, drainNotices } from './inbox.js';
import type { DeliverySettings } from './deliver.js';
import { endNotice, lineNotice, type Notice } from './notice.js';
import { NoticeOutbox } from './outbox.js';
import type { TargetVault } from './vault.js';

export type { NoticeHolder } from './outbox.js';

export interface NotifierOptions {
  tailLines: number;
  /** Minimum gap between two line notices of one task. */
  lineIntervalMs: number;
  /** Line notices per task at most. */
  maxLineNotices: number;
  /** Secrets of deliver_to targets. */
  vault: TargetVault;
  delivery?: DeliverySettings;
}

function seenKey(session: string | null, taskId: string): string {
  return `${session ?? ''}\0${taskId}`;
}

/** Lines of output a deliver_to target gets at most (each service trims further to its limits). */
const DELIVERY_TAIL_LINES = 20;

interface Watch {
  watcher: LineWatcher;
  sent: number;
  lastAt: number;
}

/** The server's outbox: it also watches the TaskManager for ends and watched lines. */
export class Notifier extends NoticeOutbox {
  private readonly watches = new Map<string, Watch>();
  /** "<session>\0<task id>": ends a session already saw: no notice for it, or the notice is withdrawn. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly manager: TaskManager,
    private readonly foreground: ForegroundRuns,
    private readonly opts: NotifierOptions,
  ) {
    super(manager.paths, {
      vault: opts.vault,
      environmentOf: (id) => manager.sessions.envOf(id),
      delivery: opts.delivery,
      noteDelivery: (id, d) => manager.noteDelivery(id, d),
      warn: (msg) => void manager.emit('warning', msg),
    });
    manager.on('ended', (task) => this.onEnded(task));
    manager.on('created', (task) => this.onCreated(task));
    manager.on('output', (id, chunk) => this.watches.get(id)?.watcher.feed(chunk));
  }

  private onCreated(task: Task): void {
    if (!task.notify_on) return;
    let pattern: Pattern;
    try {
      pattern = compileRegex(task.notify_on, 'notify_on');
    } catch {
      return; // validated by the tool; a record from elsewhere may carry anything
    }
    const watch: Watch = {
      sent: 0,
      lastAt: 0,
      watcher: new LineWatcher(pattern, (line) => {
        const now = Date.now();
        if (watch.sent >= this.opts.maxLineNotices || now - watch.lastAt < this.opts.lineIntervalMs) return;
        watch.sent++;
        watch.lastAt = now;
        this.publish(lineNotice(this.manager.fresh(task.id), pattern, line, watch.sent));
      }),
    };
    this.watches.set(task.id, watch);
  }

  private onEnded(task: Task): void {
    // A foreground call still waiting on it returns the result itself: the agent is not told again.
    const foreground = this.foreground.isWaiting(task.id);
    if (foreground) this.watches.delete(task.id);
    void this.manager.processGone(task.id).then(async () => {
      this.watches.delete(task.id);
      const final = this.manager.fresh(task.id);
      if (!isTerminal(final)) return;
      if (final.deliver_to.length) void this.deliverBeyond(final, await this.deliveryTail(final));
      // Its own session (unless a foreground call returned the end itself), and every session that reused it.
      const watchers = this.manager.watchers.of(task.id).filter((s) => s !== final.session);
      this.manager.watchers.forgetTask(task.id);
      const to = [...(foreground ? [] : [final.session]), ...watchers].filter((s) => !this.seen.has(seenKey(s, task.id)));
      if (to.length === 0) return;
      const notice = await this.endNoticeOf(final);
      for (const session of to) {
        if (this.seen.has(seenKey(session, task.id))) continue;
        this.publish(session === final.session ? notice : { ...notice, session });
      }
    });
  }

  /** The last lines deliver_to targets get; none for a task with no output or a log that cannot be read. */
  private async deliveryTail(task: EndedTask): Promise<string[]> {
    if (task.output_bytes === 0) return [];
    try {
      const win = await readWindow(this.manager, task.id, { tail: DELIVERY_TAIL_LINES, maxBytes: 8192 });
      return win.output.split('\n').filter((l) => !l.startsWith('[… earlier output') && l.trim() !== '');
    } catch {
      return [];
    }
  }

  /** The end notice of an ended task, as every path words it: headline, error, the last lines, how to read more. */
  async endNoticeOf(task: EndedTask): Promise<Notice> {
    let tail: string[] = [];
    if (this.opts.tailLines > 0 && task.output_bytes > 0) {
      const win = await readWindow(this.manager, task.id, { tail: this.opts.tailLines, maxBytes: 2048 });
      tail = win.output.split('\n').filter((l) => !l.startsWith('[… earlier output') && l.trim() !== '');
    }
    return endNotice(task, tail);
  }

  /** A held notice its holder could not deliver after all: into the inbox, for the other paths. */
  release(notice: Notice): void {
    if (notice.session && !this.seen.has(seenKey(notice.session, notice.task_id))) this.store(notice);
  }

  /** A session (default: the task's own) saw this task's end (e.g. a task_status showing it): do not tell it again. */
  markSeen(task: Task, session: string | null = task.session): void {
    if (!isTerminal(task) || !this.manager.isOwn(task.id)) return;
    this.seen.add(seenKey(session, task.id));
    if (session) claimNotice(this.manager.paths, session, task.id);
  }

  /** A path the client demonstrably reads delivered it: take it out of the inbox. */
  delivered(notice: Notice): void {
    if (notice.session) claimNotice(this.manager.paths, notice.session, notice.id);
  }

  /** Takes the session's undelivered notices (for piggy-backing on a tool result). */
  drain(session: string, max = 20): Notice[] {
    const held = this.unstored.get(session) ?? [];
    const mine = held.splice(0, max);
    if (held.length === 0) this.unstored.delete(session);
    return mine.length >= max ? mine : [...mine, ...drainNotices(this.manager.paths, session, max - mine.length)];
  }
}
