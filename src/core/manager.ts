/**
 * TaskManager: the queue, concurrency, timeouts, cancel, retry and the
 * lifecycle of every task this server owns. It imports no transport and no
 * terminal code; mcp/, control/ and notify/ drive it and listen to its events.
 */
import type { Config } from '../config.js';
import { killTree } from '../run/kill-tree.js';
import { blockedOnInput, forkCount, hasProc, readStat, taskProcesses } from '../run/proc.js';
import type { Stream } from '../run/process.js';
import { taskDir, type DataPaths } from '../store/data-dir.js';
import { IdAllocator } from '../store/ids.js';
import { RecordStore, reportOnce, type ProblemSink } from '../store/records.js';
import { TargetVault } from '../notify/vault.js';
import { UserError } from './errors.js';
import { TaskEmitter } from './events.js';
import { LiveTask } from './live-task.js';
import type { Executor } from './executor.js';
import { checkCwd } from './prechecks.js';
import { TaskOutputs } from './outputs.js';
import { chooseRunner, readPromptEnd } from './prompt-outcome.js';
import { allTasks, findTask, type TaskRef } from './task-lookup.js';
import { isTerminal, transition, type PendingTask, type Task, type TaskEvent } from './task.js';
import { formatBytes, formatDuration } from './units.js';
import { setLongTimeout } from './long-timeout.js';
import path from 'node:path';

export interface ShellSpec {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Variables to remove from the server's environment (the session's shell unset them). */
  env_unset?: string[];
  /** Its end becomes its session's shell state (a foreground `bash` call). */
  shell_state?: boolean;
  name?: string | null;
  timeout_ms?: number;
  pty?: boolean;
  origin?: string | null;
  session?: string | null;
  deliver_to?: string[];
  retry_of?: string | null;
  notify_on?: string | null;
  /** A caller is waiting on it: start at once instead of queueing behind background tasks. */
  foreground?: boolean;
}

export interface PromptSpec {
  prompt: string;
  /** A runner name; default background.defaultRunner, else the session's client model (sampling). */
  runner?: string | null;
  cwd?: string;
  name?: string | null;
  timeout_ms?: number;
  origin?: string | null;
  session?: string | null;
  deliver_to?: string[];
  retry_of?: string | null;
}

export class TaskManager extends TaskEmitter {
  private readonly tasks = new Map<string, Task>();
  private readonly live = new Map<string, LiveTask>();
  private readonly outputs: TaskOutputs;
  private readonly queue: string[] = [];
  private readonly ids: IdAllocator;
  readonly records: RecordStore;
  /** Secrets of deliver_to targets; tasks carry them sealed. */
  readonly vault: TargetVault;
  private stopping = false;
  /** In-process answerers of prompts, per session (the MCP client's model). */
  private readonly executors = new Map<string, Executor>();
  /** Records on disk that fail their checks: said once each, then skipped. */
  readonly badRecord: ProblemSink = reportOnce((msg) => this.warn(msg));

  constructor(
    readonly config: Config,
    readonly paths: DataPaths,
    readonly serverId: string,
  ) {
    super();
    // Every waiting call and subscriber listens here; many at once is normal.
    this.setMaxListeners(0);
    this.ids = new IdAllocator(paths);
    this.outputs = new TaskOutputs(this.live, paths);
    this.vault = TargetVault.in(paths.root);
    this.records = new RecordStore(paths, (err, id) => this.warn(`could not save the record of task ${id}: ${err.message}; the task goes on, known to this server only`), this.badRecord);
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }

  // ---- reading ----

  /** Tasks this server owns, newest first. */
  own(): Task[] {
    return [...this.tasks.values()].reverse();
  }

  /** Own tasks plus records of other servers' and earlier runs' tasks, newest first. */
  all(): Task[] {
    return allTasks(this.tasks, this.paths, this.badRecord);
  }

  /** A task by id or unique id prefix: own tasks first, then records on disk. */
  get(ref: TaskRef): Task {
    return findTask(ref, this.tasks, this.paths, this.records, this.badRecord);
  }

  isOwn(id: string): boolean {
    return this.tasks.has(id);
  }

  // ---- output ----

  outputSize(id: string, stream: Stream = 'stdout'): number {
    return this.outputs.size(id, stream);
  }

  logFile(id: string, stream: Stream = 'stdout'): string {
    return this.outputs.file(id, stream);
  }

  readOutput(id: string, start: number, end: number, stream: Stream = 'stdout'): Promise<Buffer> {
    return this.outputs.read(id, start, end, stream);
  }

  /** Running, quiet for a while, and some process of it sleeps in read() on its input. */
  waitingForInput(id: string): boolean {
    const task = this.tasks.get(id);
    const lt = this.live.get(id);
    if (!task || task.state !== 'running' || !lt || !hasProc) return false;
    if (Date.now() - lt.lastOutputAt < this.config.input.quietAfter) return false;
    return blockedOnInput(taskProcesses(task.pid, this.marker(id), lt.startTicks, lt.pidFloor));
  }

  // ---- lifecycle ----

  /** Creates a task; when it can start at once, resolves after its process was spawned (or failed to). */
  async submit(spec: ShellSpec): Promise<Task> {
    if (!spec.command.trim()) throw new UserError('command is empty', 'command');
    const shell = { ...(spec.env_unset?.length ? { env_unset: spec.env_unset } : {}), ...(spec.shell_state ? { shell_state: true } : {}) };
    return this.create({ kind: 'shell', command: spec.command, prompt: null, pty: spec.pty ?? true, notify_on: spec.notify_on ?? null, env: spec.env ?? {}, ...shell }, spec, spec.foreground ?? false);
  }

  /** Queues an agent prompt. Fails at once when its runner is unknown or not installed. */
  async submitPrompt(spec: PromptSpec): Promise<Task> {
    if (!spec.prompt.trim()) throw new UserError('prompt is empty', 'prompt');
    const runner = chooseRunner(this.config, spec, Boolean(spec.session && this.executors.has(spec.session)));
    return this.create({ kind: 'prompt', command: null, prompt: spec.prompt, pty: false, notify_on: null, env: {}, runner }, spec, false);
  }

  /** Registers (or removes) the in-process answerer of a session's prompts. */
  setExecutor(session: string, executor: Executor | null): void {
    if (executor) this.executors.set(session, executor);
    else this.executors.delete(session);
  }

  private async create(
    what: Pick<Task, 'kind' | 'command' | 'prompt' | 'pty' | 'notify_on' | 'env' | 'env_unset' | 'shell_state'> & { runner?: string },
    spec: Omit<PromptSpec, 'prompt' | 'runner'>,
    foreground: boolean,
  ): Promise<Task> {
    if (this.stopping) throw new UserError('the bgbash server is shutting down; no new tasks are accepted');
    const cwd = path.resolve(spec.cwd ?? process.cwd());
    checkCwd(cwd);
    const deliverTo = (spec.deliver_to ?? this.config.background.defaultDeliverTo).map((t) => this.vault.seal(t));
    const task: PendingTask = {
      id: this.ids.allocate((err) => this.warn(`cannot create a task directory (${err.message}); the task runs without a record on disk`)),
      state: 'pending',
      ...what,
      cwd,
      name: spec.name ?? null,
      origin: spec.origin ?? null,
      session: spec.session ?? null,
      deliver_to: deliverTo,
      timeout_ms: spec.timeout_ms ?? this.config.background.taskTimeout,
      server: this.serverId,
      retry_of: spec.retry_of ?? null,
      created_at: new Date().toISOString(),
      output_bytes: 0,
      output_dropped: 0,
      tokens: 0,
      result: null,
    };
    this.tasks.set(task.id, task);
    this.records.save(task, false);
    this.emit('created', task);
    if (foreground) await this.start(task.id);
    else {
      this.queue.push(task.id);
      await Promise.all(this.pump());
    }
    return this.tasks.get(task.id)!;
  }

  async retry(ref: TaskRef): Promise<Task> {
    const old = this.get(ref);
    if (!isTerminal(old)) throw new UserError(`task ${old.id} is still ${old.state}; cancel it first or wait for it to end`, 'task_id');
    const same = { cwd: old.cwd, name: old.name, timeout_ms: old.timeout_ms, origin: old.origin, session: old.session, deliver_to: old.deliver_to, retry_of: old.id };
    if (old.kind === 'prompt') return this.submitPrompt({ ...same, prompt: old.prompt ?? '', runner: old.runner ?? null });
    return this.submit({
      command: old.command ?? '',
      cwd: old.cwd,
      env: old.env,
      env_unset: old.env_unset,
      name: old.name,
      timeout_ms: old.timeout_ms,
      pty: old.pty,
      origin: old.origin,
      session: old.session,
      deliver_to: old.deliver_to,
      notify_on: old.notify_on ?? null,
      retry_of: old.id,
    });
  }

  cancel(ref: TaskRef, reason = 'cancelled by request'): Task {
    const task = this.get(ref);
    if (isTerminal(task)) throw new UserError(`task ${task.id} already ended (${task.state}); nothing to cancel`, 'task_id');
    if (!this.tasks.has(task.id)) throw new UserError(`task ${task.id} belongs to another bgbash server (${task.server}); cancel it there`, 'task_id');
    return this.end(task.id, { type: 'cancel', reason, at: now() });
  }

  /** Sends bytes to a running task's terminal (or stdin). */
  input(ref: TaskRef, data: string): Task {
    const task = this.get(ref);
    const lt = this.live.get(task.id);
    if (task.state !== 'running' || !lt?.proc) {
      throw new UserError(`task ${task.id} is ${task.state}, not running; input goes only to a running task`, 'task_id');
    }
    lt.proc.write(data);
    return task;
  }

  /** Closes a pipe task's stdin / sends EOF to a pty task. */
  endInput(ref: TaskRef): void {
    const task = this.get(ref);
    const lt = this.live.get(task.id);
    if (task.state !== 'running' || !lt?.proc) throw new UserError(`task ${task.id} is ${task.state}, not running`, 'task_id');
    lt.proc.endInput();
  }

  resize(id: string, cols: number, rows: number): void {
    this.live.get(id)?.proc?.resize(cols, rows);
  }

  /** Starts queued tasks while there are free slots; returns their start-ups. */
  private pump(): Array<Promise<void>> {
    const started: Array<Promise<void>> = [];
    while (this.queue.length > 0 && this.live.size < this.config.background.maxConcurrentTasks) {
      const id = this.queue.shift()!;
      if (this.tasks.get(id)?.state === 'pending') started.push(this.start(id));
    }
    return started;
  }

  private marker(id: string): string {
    return `${this.serverId}:${id}`;
  }

  private apply(id: string, event: TaskEvent): Task {
    const prev = this.tasks.get(id)!;
    const next = transition(prev, event);
    this.tasks.set(id, next);
    this.records.save(next, prev.state !== next.state);
    this.emit('changed', next, prev);
    if (!isTerminal(prev) && isTerminal(next)) this.emit('ended', next);
    return next;
  }

  /** Starts a pending task. It takes its slot (enters `live`) before the first await. */
  private async start(id: string): Promise<void> {
    const task = this.tasks.get(id)!;
    if (task.state !== 'pending') return;
    const lt = new LiveTask(id, taskDir(this.paths, id), task.pty, {
      maxBytes: this.config.output.maxBytes,
      tailBytes: this.config.output.tailBytes,
      onError: (err) => {
        const msg = `cannot write the output log (${err.message}); only the last ${formatBytes(this.config.output.tailBytes)} are kept, in memory`;
        this.warn(`task ${id}: ${msg}`);
        const t = this.tasks.get(id);
        if (t) this.tasks.set(id, { ...t, output_error: msg });
      },
    });
    this.live.set(id, lt);
    let forks: number | null = null;
    try {
      // Runners (node-pty among them) load with the first task, not at start-up.
      const { launch } = await import('./launch.js');
      forks = hasProc ? forkCount() : null;
      const logs = lt.direct
        ? { stdout: lt.log.file, stderr: lt.errLog!.file, maxBytes: this.config.output.maxBytes, onDropped: (stream: Stream, n: number) => void (lt.logFor(stream).dropped += n) }
        : undefined;
      lt.proc = await launch(this.config, task, this.marker(id), task.session ? (this.executors.get(task.session) ?? null) : null, logs);
    } catch (err) {
      this.live.delete(id);
      lt.markExited();
      await lt.close();
      const why = err instanceof UserError ? err.message : `could not start: ${(err as Error).message}`;
      if (this.tasks.get(id)!.state === 'pending') this.apply(id, { type: 'fail', error: why, at: now() });
      this.emit('settled', this.tasks.get(id)!);
      void this.pump();
      return;
    }
    const proc = lt.proc;
    lt.startTicks = proc.pid !== null && hasProc ? (readStat(proc.pid)?.starttime ?? null) : null;
    lt.pidFloor = proc.pid !== null && forks !== null ? { pid: proc.pid, forks } : null;
    if (this.tasks.get(id)!.state !== 'pending') {
      // Cancelled while the process was being spawned.
      void this.killProcess(id, lt);
    } else {
      this.apply(id, { type: 'start', pid: proc.pid, at: now() });
      lt.timeoutTimer = setLongTimeout(() => this.timedOut(id), task.timeout_ms);
    }
    proc.onData((chunk, stream) => {
      lt.lastOutputAt = Date.now();
      const log = lt.logFor(stream);
      if (!log.append(chunk)) {
        proc.pause();
        log.onDrain(() => proc.resume());
      }
      this.emit('output', id, chunk, stream);
    });
    proc.onExit((status) => void this.exited(id, lt, status.exit_code, status.signal));
  }

  private timedOut(id: string): void {
    const task = this.tasks.get(id);
    if (!task || isTerminal(task)) return;
    this.end(id, { type: 'fail', error: `timed out after ${formatDuration(task.timeout_ms)} and was stopped (timeout; default background.taskTimeout)`, at: now() });
  }

  /** Moves a live task to a terminal state for a reason of ours, then ends its processes. */
  private end(id: string, event: TaskEvent): Task {
    const lt = this.live.get(id);
    const next = this.apply(id, event);
    const q = this.queue.indexOf(id);
    if (q >= 0) this.queue.splice(q, 1);
    if (lt) void this.killProcess(id, lt);
    else this.emit('settled', next);
    return this.outputs.counted(next);
  }

  private killProcess(id: string, lt: LiveTask): Promise<void> {
    lt.proc?.abort?.();
    if (!lt.killing) {
      lt.killing = killTree(lt.proc?.pid ?? null, { graceMs: this.config.background.killGrace, marker: this.marker(id), since: lt.startTicks, floor: lt.pidFloor });
    }
    return lt.killing;
  }

  private async exited(id: string, lt: LiveTask, exit_code: number | null, signal: string | null): Promise<void> {
    if (lt.processGone) return;
    lt.processGone = true;
    lt.timeoutTimer?.clear();
    const task = this.tasks.get(id)!;
    // Whatever the shell left running in the background goes with it: no orphans.
    const leftovers = this.config.background.killLeftovers ? this.killProcess(id, lt) : Promise.resolve();
    this.syncOutput(id, lt);
    if (!isTerminal(task) && task.kind === 'prompt') await this.endPrompt(id, lt, exit_code, signal);
    else if (!isTerminal(task)) this.apply(id, { type: 'exit', exit_code, signal, at: now() });
    else if (task.exit_code === null && task.signal === null) this.apply(id, { type: 'exit', exit_code, signal, at: now() });
    await leftovers;
    lt.proc?.dispose();
    await lt.close();
    const before = this.tasks.get(id)!;
    this.syncOutput(id, lt);
    const after = this.tasks.get(id)!;
    // The end was saved when it happened; save again only if the last output changed the counts.
    if (after.output_bytes !== before.output_bytes || after.output_dropped !== before.output_dropped || after.output_error !== before.output_error) {
      this.records.save(after, true);
    }
    this.live.delete(id);
    this.outputs.settle(id, lt);
    lt.markExited();
    this.emit('settled', this.tasks.get(id)!);
    void this.pump();
  }

  /** A prompt task's answer (or error) from what its runner printed, then its end. */
  private async endPrompt(id: string, lt: LiveTask, exit_code: number | null, signal: string | null): Promise<void> {
    const end = await readPromptEnd(this.config, this.tasks.get(id)!, lt, { exit_code, signal }, now());
    const task = this.tasks.get(id)!;
    if (isTerminal(task)) return; // cancelled while we read
    this.tasks.set(id, { ...task, ...end.fields });
    this.apply(id, end.event);
  }

  /** Copies output counters from the live logs into the record. */
  private syncOutput(id: string, lt: LiveTask): void {
    this.tasks.set(id, this.outputs.counted(this.tasks.get(id)!, lt));
  }

  /** Records how a notice fared at a deliver_to target (not a state change). */
  noteDelivery(id: string, delivery: NonNullable<Task['deliveries']>[number]): void {
    const task = this.tasks.get(id);
    if (!task) return;
    const next = { ...task, deliveries: [...(task.deliveries ?? []), delivery] } as Task;
    this.tasks.set(id, next);
    this.records.save(next, false);
    if (!delivery.ok) this.warn(`task ${id}: notice to ${delivery.target} failed: ${delivery.error}`);
  }

  /** Current record of a task, live counters included. */
  fresh(ref: TaskRef): Task {
    return this.outputs.counted(this.get(ref));
  }

  /** Ended, process gone, output complete. */
  isSettled(id: string): boolean {
    return isTerminal(this.get(id)) && !this.live.has(id);
  }

  /** Resolves when the task's process is gone (immediately for tasks without one). */
  processGone(id: string): Promise<void> {
    return this.live.get(id)?.exited ?? Promise.resolve();
  }

  /** Cancels everything still live, ends all process trees, flushes records. */
  async shutdown(reason: string): Promise<void> {
    this.stopping = true;
    for (const task of [...this.tasks.values()]) {
      if (!isTerminal(task)) this.end(task.id, { type: 'cancel', reason, at: now() });
    }
    await Promise.all([...this.live.values()].map((lt) => Promise.race([lt.exited, lt.killing])));
    await Promise.all([...this.live.values()].map((lt) => lt.close()));
    await this.records.flush();
  }
}

function now(): string {
  return new Date().toISOString();
}
