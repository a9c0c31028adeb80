/**
 * TaskManager: what transports call — submit, retry, cancel, input, lookups —
 * over the rooms that do the work: the task table (state, records), the queue
 * (concurrency), the lifecycle (backends, output, timeouts, endings) and the
 * lookups. It imports no transport, terminal or process code; mcp/, control/
 * and notify/ drive it and listen to its events.
 */
import type { Config } from '../config.js';
import type { Executor } from '../run/backends/backend.js';
import { backendFor, backendNamed } from '../run/backends/registry.js';
import type { DataPaths } from '../store/data-dir.js';
import { IdAllocator } from '../store/ids.js';
import { RecordStore } from '../store/records.js';
import { UserError } from '../shared/errors.js';
import { TaskReads } from './task-reads.js';
import { MAX_PENDING_INPUT_BYTES } from './limits.js';
import { formatBytes } from '../shared/units.js';
import { Lifecycle, now } from './lifecycle.js';
import type { LiveTask } from './live-task.js';
import { TaskOutputs } from './outputs.js';
import { SAMPLING_RUNNER } from './prechecks.js';
import { queueNote } from './queue-note.js';
import { SessionBook } from './sessions.js';
import { ShutdownWatch } from './shutdown-watch.js';
import { recordNotes } from './record-notes.js';
import { chooseRunner } from './prompt-outcome.js';
import { allTasks, type TaskRef } from './task-lookup.js';
import { TaskQueue } from './task-queue.js';
import { TaskTable } from './task-table.js';
import type { PromptSpec, ShellSpec, TargetSealer } from './specs.js';
import { isTerminal, type Task } from '../shared/task.js';
import { clashExplainer } from './port-clash.js';
import { PortWatch } from './port-watch.js';
import { Watchers } from './session-tasks.js';
import { pendingTask, type NewTaskSpec, type NewTaskWhat } from './new-task.js';

export type { PromptSpec, ShellSpec, TargetSealer } from './specs.js';


export class TaskManager extends TaskReads {
  private readonly queue: TaskQueue;
  private readonly lifecycle: Lifecycle;
  private readonly ids: IdAllocator;
  /** The agent sessions served: each one's start directory and environment. */
  readonly sessions = new SessionBook();
  private readonly stopping = new ShutdownWatch();
  /** In-process answerers of prompts, per session (the MCP client's model). */
  private readonly executors = new Map<string, Executor>();
  /** Sessions that reused a task of another session: told when it ends, like its own. */
  readonly watchers = new Watchers();

  constructor(
    config: Config,
    paths: DataPaths,
    serverId: string,
    /** Keeps deliver_to targets' secrets out of records (notify/vault.ts): tasks carry the sealed form. */
    private readonly targets: TargetSealer,
  ) {
    super(config, paths, serverId);
    this.ids = new IdAllocator(paths);
    this.outputs = new TaskOutputs(this.live, paths);
    const notes = recordNotes(() => this.table, (m) => this.warn(m));
    this.records = new RecordStore(paths, notes.notSaved, this.badRecord, notes.saved);
    this.table = new TaskTable(this.records, this);
    this.portWatch = new PortWatch(this.table, this.live, this);
    this.lifecycle = new Lifecycle({
      config,
      paths,
      serverId,
      table: this.table,
      outputs: this.outputs,
      live: this.live,
      events: this,
      executors: this.executors,
      shutdown: this.stopping,
      warn: (m) => this.warn(m),
      freed: () => void this.queue.pump(),
      // A task that failed on a taken port: who holds it goes into its record (results and notices say it).
      afterExit: clashExplainer(this.table, this.outputs, (ref) => allTasks(this.source()).find((t) => t.id === ref) ?? null),
      baseEnv: (id) => this.sessions.envOf(id),
      configOf: (session) => this.configOf(session),
    });
    this.queue = new TaskQueue(
      () => this.live.size < config.background.maxConcurrentTasks,
      (id) => this.lifecycle.start(id),
      (id) => this.table.get(id)?.state === 'pending',
      (id) => this.table.get(id)?.session ?? '',
      () => this.runningBySession(),
    );
  }

  /** Live tasks (running, starting) of each session: what the fair queue weighs. */
  private runningBySession(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of this.live.keys()) {
      const s = this.table.get(id)?.session ?? '';
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    return counts;
  }

  /** What a pending task waits for, in words (queue-note.ts); null for a task not queued here. */
  queueNote(id: string): string | null {
    const live = [...this.live.keys()].map((k) => this.table.get(k)).filter((t): t is Task => t !== undefined);
    return queueNote(this.queue.order().indexOf(id), live, this.sessions, this.config.background.maxConcurrentTasks);
  }

  // ---- creating ----

  /** The settings of a session's tasks (its project config, its flags); the server's own for none or an ended one. */
  configOf(session: string | null | undefined): Config {
    return this.sessions.get(session ?? null)?.config ?? this.config;
  }

  /** Creates a task; when it can start at once, resolves after its process was spawned (or failed to). */
  async submit(spec: ShellSpec): Promise<Task> {
    if (!spec.command.trim()) throw new UserError('command is empty', 'command');
    const pty = spec.pty ?? true;
    const backend = backendFor(this.configOf(spec.session), spec) ?? (pty ? 'pty' : 'pipe');
    const shell = { ...(spec.env_unset?.length ? { env_unset: spec.env_unset } : {}), ...(spec.shell_state ? { shell_state: true } : {}) };
    const keep = spec.persistent ? { persistent: true } : {};
    return this.create({ kind: 'shell', command: spec.command, prompt: null, pty, backend, notify_on: spec.notify_on ?? null, env: spec.env ?? {}, ...shell, ...keep }, spec, spec.foreground ?? false);
  }

  /** Queues an agent prompt. Fails at once when its runner is unknown or not installed. */
  async submitPrompt(spec: PromptSpec): Promise<Task> {
    if (!spec.prompt.trim()) throw new UserError('prompt is empty', 'prompt');
    const runner = chooseRunner(this.configOf(spec.session), spec, Boolean(spec.session && this.executors.has(spec.session)));
    const backend = runner === SAMPLING_RUNNER ? 'sampling' : 'agent';
    return this.create({ kind: 'prompt', command: null, prompt: spec.prompt, pty: false, backend, notify_on: null, env: {}, runner }, spec, false);
  }

  /** Registers (or removes) the in-process answerer of a session's prompts. */
  setExecutor(session: string, executor: Executor | null): void {
    if (executor) this.executors.set(session, executor);
    else this.executors.delete(session);
  }

  private async create(
    what: NewTaskWhat,
    spec: NewTaskSpec,
    foreground: boolean,
  ): Promise<Task> {
    if (this.stopping.begun) throw new UserError('the bgbash server is shutting down; no new tasks are accepted');
    const place = this.sessions.get(spec.session);
    const task = pendingTask(what, spec, {
      backend: backendNamed(what.backend, place?.config ?? this.config),
      settings: place?.config ?? this.config,
      startCwd: place?.cwd ?? process.cwd(),
      serverId: this.serverId,
      seal: (t) => this.targets.seal(t),
      allocate: () => this.ids.allocate((err) => this.warn(`cannot claim a task id on disk (${err.message}); the task runs with an id of this server's own range, its record written once there is room`)),
    });
    // No environment kept (no open session of that name: a task asked of the server's own control socket, or a
    // retry whose first run's environment was let go): the backend falls back to this process's own environment
    // (backend.ts taskEnv). Under the daemon that is the environment of whichever agent started the daemon.
    this.sessions.keepEnv(task.id, spec.retry_of ? (this.sessions.envOf(spec.retry_of) ?? place?.env) : place?.env);
    this.table.add(task);
    if (foreground) {
      this.emit('foreground', task.id);
      await this.lifecycle.start(task.id);
    }
    else {
      this.queue.push(task.id);
      await Promise.all(this.queue.pump());
    }
    return this.table.must(task.id);
  }

  /**
   * Runs an ended task again as a new task; a live one (of this server) is
   * restarted: cancelled, its processes gone (so its ports are free), then run
   * again. `by` says who restarted it.
   */
  async retry(ref: TaskRef, by: string | null = null): Promise<Task> {
    let old = this.get(ref);
    if (!isTerminal(old)) {
      if (!this.table.has(old.id)) throw new UserError(`task ${old.id} belongs to another bgbash server (${old.server}); restart it there`, 'task_id');
      this.cancel(old.id, 'restarted: stopped to run again as a new task (task_retry)', by);
      await this.processGone(old.id);
      old = this.get(old.id);
    }
    const same = { cwd: old.cwd, name: old.name, timeout_ms: old.timeout_ms, origin: old.origin, session: old.session, deliver_to: old.deliver_to, retry_of: old.id };
    if (old.kind === 'prompt') return this.submitPrompt({ ...same, prompt: old.prompt ?? '', runner: old.runner ?? null });
    return this.submit({ ...same, command: old.command ?? '', env: old.env, env_unset: old.env_unset, pty: old.pty, backend: old.backend ?? null, notify_on: old.notify_on ?? null, persistent: old.persistent });
  }

  // ---- ending and driving ----

  /** `by`: who asked ("agent", "client", "cli", …), kept as data beside the sentence. */
  cancel(ref: TaskRef, reason = 'cancelled by request', by: string | null = null): Task {
    const task = this.get(ref);
    if (isTerminal(task)) throw new UserError(`task ${task.id} already ended (${task.state}); nothing to cancel`, 'task_id');
    if (!this.table.has(task.id)) throw new UserError(`task ${task.id} belongs to another bgbash server (${task.server}); cancel it there`, 'task_id');
    this.queue.remove(task.id);
    return this.lifecycle.end(task.id, { type: 'cancel', reason, by, at: now() });
  }

  /**
   * Sends bytes to a running task's terminal (or stdin). What it has not read
   * yet waits in this process (or the spawner): past MAX_PENDING_INPUT_BYTES
   * more is refused, so a task that never reads cannot grow the server.
   */
  input(ref: TaskRef, data: string): Task {
    const task = this.get(ref);
    const proc = this.running(task);
    const pending = proc.pendingInput?.() ?? 0;
    const bytes = Buffer.byteLength(data);
    if (pending + bytes > MAX_PENDING_INPUT_BYTES) {
      const held = pending > 0 ? `${formatBytes(pending)} sent to it earlier is still waiting to be read, ` : '';
      throw new UserError(
        `task ${task.id} is not reading its input fast enough: ${held}and bgbash holds at most ${formatBytes(MAX_PENDING_INPUT_BYTES)} of unread input per task, so these ${formatBytes(bytes)} were not sent. ` +
          'Wait until it reads what it has (task_output shows what it is doing), send less at a time, or end it with task_cancel.',
        'text',
      );
    }
    proc.write(data);
    return task;
  }

  /** Closes a pipe task's stdin / sends EOF to a pty task. */
  endInput(ref: TaskRef): void {
    this.running(this.get(ref)).endInput();
  }
  private running(task: Task): NonNullable<LiveTask['proc']> {
    const proc = this.live.get(task.id)?.proc;
    if (task.state !== 'running' || !proc) throw new UserError(`task ${task.id} is ${task.state}, not running; input goes only to a running task`, 'task_id');
    return proc;
  }

  resize(id: string, cols: number, rows: number): void {
    this.live.get(id)?.proc?.resize(cols, rows);
  }
  /** Records how a notice fared at a deliver_to target (not a state change). */
  noteDelivery(id: string, delivery: NonNullable<Task['deliveries']>[number]): void {
    if (!this.table.has(id)) return;
    this.table.update(id, (t) => ({ ...t, deliveries: [...(t.deliveries ?? []), delivery] }) as Task, true);
    if (!delivery.ok) this.warn(`task ${id}: notice to ${delivery.target} failed: ${delivery.error}`);
  }

  /**
   * An agent session ended: its live tasks are cancelled, except persistent
   * ones, which run on (ended by themselves, a cancel, or the server's
   * shutdown). Sessions that only reused a task stop watching it. The
   * session's place (SessionBook) stays: the caller closes it once the
   * session's last request is answered, so a task such a request starts
   * still runs with the session's environment, directory and config.
   */
  endSession(session: string, reason = 'the agent session ended'): Task[] {
    const ended: Task[] = [];
    for (const task of this.table.list().reverse()) {
      if (task.session !== session || isTerminal(task) || task.persistent) continue;
      ended.push(this.cancel(task.id, reason, 'session end'));
    }
    this.watchers.forgetSession(session);
    return ended;
  }

  /** Cancels everything still live (reason `shutdown`), ends all process trees, flushes records. */
  async shutdown(reason: string): Promise<void> {
    // Before any kill: a death from here on (or one waiting to be classified) is the shutdown's.
    this.stopping.begin();
    for (const task of this.table.list().reverse()) {
      if (isTerminal(task)) continue;
      this.queue.remove(task.id);
      this.lifecycle.end(task.id, { type: 'cancel', reason, shutdown: true, at: now() });
    }
    await this.lifecycle.drain();
    await this.records.flush();
    // A last try for what a full disk kept from being written; what still cannot be is said, not silently lost.
    if (!this.records.retryNow()) this.warn(`the records of task(s) ${[...this.records.unsaved].join(', ')} could not be saved before the server exits (the data dir is full or unwritable): they are lost`);
  }
}
