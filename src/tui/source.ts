/**
 * Where the Tasks page and the strip get their tasks: every live server (over
 * the control socket) plus the records on disk, refreshed every 2 seconds and
 * whenever a server reports a change.
 */
import { EventEmitter } from 'node:events';
import type { Config } from '../config.js';
import { ControlClient } from '../control/client.js';
import { connectAll, currentTasks, NO_SERVER, ownerOf, type Connected } from '../control/discovery.js';
import { liveServers } from '../core/live-servers.js';
import type { Task } from '../shared/task.js';
import { repairDeadServers } from '../notify/crash-repair.js';
import type { DataPaths } from '../store/data-dir.js';
import type { ProblemSink } from '../store/records.js';

/** What the page reads from: the config and data dir (the CLI's context is one). */
export interface PageContext {
  config: Config;
  paths: DataPaths;
  /** Records that fail their checks are reported here and skipped. */
  badRecord?: ProblemSink;
}

export const REFRESH_MS = 2000;
const MAX_TASKS = 500;

export class TaskSource extends EventEmitter<{ changed: [] }> {
  tasks: Task[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly subscribed = new Map<string, ControlClient>();
  private pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly cli: PageContext,
    /** The servers whose live copies are shown over the records (all live ones unless the caller narrows them). */
    private readonly servers: () => Promise<Connected[]> = () => connectAll(cli.paths),
  ) {
    super();
  }

  async refresh(): Promise<void> {
    // Warnings stay off the screen the page owns.
    await repairDeadServers(this.cli.config, this.cli.paths).catch(() => undefined);
    this.tasks = (await currentTasks(this.cli.paths, this.cli.badRecord, await this.servers().catch(() => []))).slice(0, MAX_TASKS);
    this.emit('changed');
  }

  /** Soon, not at once: a burst of events makes one refresh. */
  private refreshSoon(): void {
    this.pending ??= setTimeout(() => {
      this.pending = null;
      void this.refresh().catch(() => undefined);
    }, 50);
  }

  private async subscribeAll(): Promise<void> {
    const live = new Set(liveServers(this.cli.paths).map((s) => s.id));
    for (const [id, client] of this.subscribed) {
      if (!live.has(id)) {
        client.close();
        this.subscribed.delete(id);
      }
    }
    for (const conn of await connectAll(this.cli.paths)) {
      if (this.subscribed.has(conn.info.id)) {
        conn.client.close();
        continue;
      }
      this.subscribed.set(conn.info.id, conn.client);
      conn.client.onEvent((e) => {
        if (e.event === 'task' || e.event === 'settled') this.refreshSoon();
      });
      conn.client.onClose(() => {
        this.subscribed.delete(conn.info.id);
        this.refreshSoon();
      });
      await conn.client.request('subscribe', {}).catch(() => undefined);
    }
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.subscribeAll().catch(() => undefined);
    this.timer = setInterval(() => {
      void this.refresh().catch(() => undefined);
      void this.subscribeAll().catch(() => undefined);
    }, REFRESH_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    for (const c of this.subscribed.values()) c.close();
    this.subscribed.clear();
  }

  private async newest(): Promise<ControlClient> {
    const [first, ...rest] = await connectAll(this.cli.paths);
    for (const c of rest) c.client.close();
    if (!first) throw new Error(NO_SERVER);
    return first.client;
  }

  async cancel(task: Task): Promise<Task> {
    const owner = await ownerOf(this.cli.paths, task);
    try {
      return (await owner.client.request('cancel', { id: task.id, by: 'tasks page' })).task;
    } finally {
      owner.client.close();
    }
  }

  async retry(task: Task): Promise<Task> {
    const own = liveServers(this.cli.paths).find((s) => s.id === task.server && s.socket);
    // Its own server when it still runs, else the newest one (no note on stderr: the page owns the screen).
    const client = own ? await ControlClient.connect(own.socket!) : await this.newest();
    try {
      return (await client.request('retry', { id: task.id })).task;
    } finally {
      client.close();
    }
  }
}
