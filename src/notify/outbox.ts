/**
 * Where every notice goes out: the session's inbox (unless a delivery path
 * holds it to deliver itself), the `notice` event the MCP sinks listen to, and
 * the task's deliver_to targets. The server's Notifier is an outbox that also
 * watches its TaskManager; crash repair run by the CLI or the Tasks page,
 * which has no manager, announces what it closed through a bare outbox — the
 * same path, so a recovered task reaches its inbox and its targets either way.
 */
import { EventEmitter } from 'node:events';
import { isTerminal, type EndedTask, type Task } from '../shared/task.js';
import type { DataPaths } from '../store/data-dir.js';
import { deliver, DEFAULT_DELIVERY, prepare, type DeliverySettings } from './deliver.js';
import { putNotice } from './inbox.js';
import { endNotice, type Notice } from './notice.js';
import type { Delivery } from './targets.js';
import type { TargetVault } from './vault.js';

export interface OutboxOptions {
  /** Secrets of deliver_to targets. */
  vault: TargetVault;
  delivery?: DeliverySettings;
  /** How a deliver_to target fared, for the task's record. */
  noteDelivery(taskId: string, delivery: Delivery): void;
  warn(message: string): void;
  /** The environment a task ran in (its agent session's, in a daemon): its secrets are masked too. */
  environmentOf?(taskId: string): Record<string, string> | undefined;
}

/**
 * A delivery path that takes a notice out of the shared inbox because it will
 * deliver it itself (the MCP tasks extension: the client polls for the result).
 * Returns true when it holds the notice.
 */
export type NoticeHolder = (notice: Notice) => boolean;

export class NoticeOutbox extends EventEmitter<{ notice: [Notice, { held: boolean }] }> {
  /** Ended notices this process published (so a later path can tell "not yet" from "already"). */
  private readonly publishedEnds = new Set<string>();
  private readonly holders = new Set<NoticeHolder>();

  constructor(
    readonly paths: DataPaths,
    private readonly outbox: OutboxOptions,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Whether this process already published the end notice of a task. */
  publishedEnd(taskId: string): boolean {
    return this.publishedEnds.has(taskId);
  }

  /** Lets a delivery path keep notices it delivers itself out of the inbox. Returns the undo. */
  addHolder(holder: NoticeHolder): () => void {
    this.holders.add(holder);
    return () => this.holders.delete(holder);
  }

  /**
   * Tells the agent about a task that ended without this process watching it
   * (recovered from a dead server), and its deliver_to targets. Resolves when
   * every target has an outcome.
   */
  announce(task: Task): Promise<void> {
    if (!isTerminal(task)) return Promise.resolve();
    this.publish(endNotice(task, []));
    return this.deliverBeyond(task, []);
  }

  /** Notices the inbox could not take (a full data dir), by session: this process hands them out itself. */
  protected readonly unstored = new Map<string, Notice[]>();

  protected store(notice: Notice): void {
    if (!notice.session) return;
    try {
      putNotice(this.paths, notice.session, notice);
    } catch (err) {
      this.outbox.warn(`could not store the notice for task ${notice.task_id} (${(err as Error).message}); it is kept in memory for its session's next tool result`);
      const list = this.unstored.get(notice.session) ?? [];
      // Bounded: the newest 100 per session.
      list.push(notice);
      if (list.length > 100) list.shift();
      this.unstored.set(notice.session, list);
    }
  }

  protected publish(notice: Notice): void {
    if (notice.kind === 'ended') this.publishedEnds.add(notice.task_id);
    const held = notice.kind === 'ended' && [...this.holders].some((hold) => hold(notice));
    if (!held) this.store(notice);
    this.emit('notice', notice, { held });
  }

  /** deliver_to targets: each on its own, none blocking another or the task; a target that already has an outcome is not sent again. */
  protected async deliverBeyond(task: EndedTask, tail: string[]): Promise<void> {
    const done = new Set((task.deliveries ?? []).map((d) => d.target));
    const targets = task.deliver_to.filter((t) => !done.has(t));
    if (targets.length === 0) return;
    // Secrets of this process's environment and of the one the task ran in (its agent's, when a daemon serves many).
    const prepared = prepare(task, tail, undefined, { ...process.env, ...(this.outbox.environmentOf?.(task.id) ?? {}) });
    await Promise.all(
      targets.map((stored) =>
        deliver(stored, prepared, this.outbox.delivery ?? DEFAULT_DELIVERY, this.outbox.vault)
          .then((d) => d && this.outbox.noteDelivery(task.id, d))
          .catch(() => undefined),
      ),
    );
  }
}
