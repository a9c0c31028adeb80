/**
 * A task's life once it leaves the queue: its backend starts it, its output
 * goes to its logs, a timeout or a cancel ends it through the backend, and
 * its exit settles it. The only code that holds running processes (as
 * TaskProcess, from a backend: no process code here).
 */
import type { Config } from '../config.js';
import type { Executor } from '../run/backends/backend.js';
import { backendNamed } from '../run/backends/registry.js';
import type { ExitStatus, Stream } from '../run/process.js';
import { taskDir, type DataPaths } from '../store/data-dir.js';
import { UserError } from '../shared/errors.js';
import type { TaskEmitter } from './events.js';
import { LiveTask } from './live-task.js';
import { setLongTimeout } from './long-timeout.js';
import type { TaskOutputs } from './outputs.js';
import { readPromptEnd } from './prompt-outcome.js';
import { diedOfSessionEnd, SHUTDOWN_SETTLE_MS, type ShutdownWatch } from './shutdown-watch.js';
import type { TaskTable } from './task-table.js';
import { isTerminal, type Task, type TaskEvent } from '../shared/task.js';
import { backendOf } from '../shared/task-fields.js';
import { formatBytes, formatDuration } from '../shared/units.js';
import { OutputNotes } from './output-notes.js';

/** What E2BIG means, and the way out, for a model that has only the errno. */
const E2BIG_HINT = ' (the command and its environment are too big for a new process: one string over 128 KiB, or about 2 MiB in all; unset the large variable, or call bash with reset: true)';

export interface LifecycleDeps {
  config: Config;
  paths: DataPaths;
  serverId: string;
  table: TaskTable;
  outputs: TaskOutputs;
  live: Map<string, LiveTask>;
  events: TaskEmitter;
  executors: Map<string, Executor>;
  /** The environment a task runs in, from its session (undefined: the server's own). */
  baseEnv: (id: string) => Record<string, string> | undefined;
  /** The config a task of this session starts with. */
  configOf: (session: string | null) => Config;
  /** The server's shutdown: a death that comes with it is recorded as ended by it. */
  shutdown: ShutdownWatch;
  warn(message: string): void;
  /** A slot came free. */
  freed(): void;
  /** After the end is recorded, before the task settles (its output still readable): notes for the record. */
  afterExit?(id: string): Promise<void>;
}

export class Lifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  private marker(id: string): string {
    return `${this.d.serverId}:${id}`;
  }

  /** Starts a pending task. It takes its slot (enters `live`) before the first await. */
  async start(id: string): Promise<void> {
    const { table } = this.d;
    // The settings of the session that started it (its project config, its flags); the server's for others.
    const config = this.d.configOf(table.must(id).session);
    if (table.must(id).state !== 'pending') return;
    let backend = backendNamed(backendOf(table.must(id)), config);
    // Stdout's and stderr's logs report apart; the record's note is from both.
    const notes = new OutputNotes();
    const lt = new LiveTask(id, taskDir(this.d.paths, id), backend, {
      maxBytes: config.output.maxBytes,
      tailBytes: config.output.tailBytes,
      onError: (err, stream) => {
        const msg = notes.failed(stream, `cannot write the output log (${err.message}); only the last ${formatBytes(config.output.tailBytes)} are kept, in memory`);
        this.d.warn(`task ${id}: ${msg}`);
        if (table.has(id)) table.update(id, (t) => ({ ...t, output_error: msg }));
      },
      // Written out at its end once there was room (store/log-salvage.ts): the record says what is in it.
      onSaved: (lost, stream) => {
        const msg = notes.saved(stream, lost);
        this.d.warn(`task ${id}: ${msg ?? 'its output log is written in full now'}`);
        if (table.has(id)) {
          table.update(id, (t) => ({ ...t, output_error: msg }));
          table.persist(id);
        }
      },
    });
    this.d.live.set(id, lt);
    try {
      const missing = backend.fallback ? await backend.unavailable?.() : null;
      if (missing && table.must(id).state === 'pending') {
        // Degrade, and say so: the task runs where it can (its output then merges stderr into stdout).
        backend = backendNamed(backend.fallback!, config);
        const note = `${missing}: ran on ${backend.name} instead`;
        table.update(id, (t) => ({ ...t, backend: backend.name, pty: backend.terminal, backend_note: note }), true);
        this.d.warn(`task ${id}: ${note}`);
      }
      const task = table.must(id);
      const logs = lt.direct
        ? { stdout: lt.log.file, stderr: lt.errLog!.file, maxBytes: config.output.maxBytes, onDropped: (stream: Stream, n: number) => void (lt.logFor(stream).dropped += n) }
        : undefined;
      lt.proc = await backend.start({
        id,
        server: this.d.serverId,
        marker: this.marker(id),
        kind: task.kind,
        command: task.command,
        prompt: task.prompt,
        runner: task.runner ?? null,
        cwd: task.cwd,
        env: task.env,
        baseEnv: this.d.baseEnv(id),
        envUnset: task.env_unset ?? [],
        shellState: task.shell_state ?? false,
        pty: task.pty,
        timeout_ms: task.timeout_ms,
        config,
        logs,
        executor: task.session ? (this.d.executors.get(task.session) ?? null) : null,
      });
    } catch (err) {
      this.d.live.delete(id);
      lt.markExited();
      await lt.close();
      const why = err instanceof UserError ? err.message : `could not start: ${(err as Error).message}${/E2BIG/.test((err as Error).message) ? E2BIG_HINT : ''}`;
      if (table.must(id).state === 'pending') table.apply(id, { type: 'fail', error: why, reason: 'spawn_error', at: now() });
      this.d.events.emit('settled', table.must(id));
      this.d.freed();
      return;
    }
    const proc = lt.proc;
    if (table.must(id).state !== 'pending') {
      // Cancelled while the process was being spawned.
      void this.kill(lt);
    } else {
      table.apply(id, { type: 'start', pid: proc.pid, at: now() });
      // 0: none (a persistent task started without a timeout).
      const ms = table.must(id).timeout_ms;
      if (ms > 0) lt.timeoutTimer = setLongTimeout(() => this.timedOut(id), ms);
    }
    proc.onData((chunk, stream) => {
      lt.lastOutputAt = Date.now();
      const log = lt.logFor(stream);
      if (!log.append(chunk)) {
        proc.pause();
        log.onDrain(() => proc.resume());
      }
      this.d.events.emit('output', id, chunk, stream);
    });
    proc.onExit((status) => void this.exited(id, lt, status));
  }

  private timedOut(id: string): void {
    const task = this.d.table.get(id);
    if (!task || isTerminal(task)) return;
    // The record keeps the timeout, not where it came from: one the call gave that equals the default reads the same.
    const whose = task.timeout_ms === this.configFor(id).background.taskTimeout ? 'background.taskTimeout' : 'the timeout it was given';
    this.end(id, { type: 'fail', error: `timed out after ${formatDuration(task.timeout_ms)} and was stopped (${whose})`, reason: 'timeout', at: now() });
  }

  /** The settings of the session that started the task (its project config, its flags), as when it started. */
  private configFor(id: string): Config {
    return this.d.configOf(this.d.table.get(id)?.session ?? null);
  }

  /** Moves a task to a terminal state for a reason of ours (the first reason wins), then ends its processes. */
  end(id: string, event: TaskEvent): Task {
    const lt = this.d.live.get(id);
    const next = this.d.table.apply(id, event);
    if (lt) void this.kill(lt);
    else this.d.events.emit('settled', next);
    return this.d.outputs.counted(next);
  }

  /** Ends the task's whole tree through its backend; before its process exists, start() calls again. */
  private kill(lt: LiveTask): Promise<void> {
    if (!lt.proc) return Promise.resolve();
    lt.killing ??= lt.proc.terminate(this.configFor(lt.id).background.killGrace);
    return lt.killing;
  }

  private async exited(id: string, lt: LiveTask, status: ExitStatus): Promise<void> {
    const { table } = this.d;
    const { exit_code, signal, failure } = status;
    if (lt.processGone) return;
    lt.processGone = true;
    lt.timeoutTimer?.clear();
    // Whatever the shell left running in the background goes with it: no orphans.
    const leftovers = this.configFor(id).background.killLeftovers ? this.kill(lt) : Promise.resolve();
    // Its end is recorded only once the output before it is in the log file (the log batches writes):
    // a kill -9 of the server right after the record never leaves less output than the record says.
    await lt.flush();
    this.syncOutput(id, lt);
    // Killed by a client ending its session, just before it stops the server: the shutdown ends it (it cancels every live task).
    if (!isTerminal(table.must(id)) && !failure && diedOfSessionEnd(status)) await this.d.shutdown.within(SHUTDOWN_SETTLE_MS);
    const task = table.must(id);
    if (!isTerminal(task) && failure) table.apply(id, { type: 'fail', error: failure.error, reason: failure.reason, exit_code, signal, at: now() });
    else if (!isTerminal(task) && task.kind === 'prompt') await this.endPrompt(id, lt, exit_code, signal);
    else if (!isTerminal(task)) table.apply(id, { type: 'exit', exit_code, signal, at: now() });
    else if (task.exit_code === null && task.signal === null) table.apply(id, { type: 'exit', exit_code, signal, at: now() });
    await leftovers;
    await this.d.afterExit?.(id).catch((err: Error) => this.d.warn(`task ${id}: ${err.message}`));
    lt.proc?.dispose();
    await lt.close();
    const before = table.must(id);
    this.syncOutput(id, lt);
    const after = table.must(id);
    // The end was saved when it happened; save again only if the last output changed the counts.
    if (after.output_bytes !== before.output_bytes || after.output_dropped !== before.output_dropped || after.output_error !== before.output_error) table.persist(id);
    this.d.live.delete(id);
    this.d.outputs.settle(id, lt);
    lt.markExited();
    this.d.events.emit('settled', table.must(id));
    this.d.freed();
  }

  /** A prompt task's answer (or error) from what its runner printed, then its end. */
  private async endPrompt(id: string, lt: LiveTask, exit_code: number | null, signal: string | null): Promise<void> {
    const end = await readPromptEnd(this.configFor(id), this.d.table.must(id), lt, { exit_code, signal }, now());
    if (isTerminal(this.d.table.must(id))) return; // cancelled while we read
    this.d.table.update(id, (t) => ({ ...t, ...end.fields }));
    this.d.table.apply(id, end.event);
  }

  /** Copies output counters from the live logs into the record. */
  private syncOutput(id: string, lt: LiveTask): void {
    this.d.table.update(id, (t) => this.d.outputs.counted(t, lt));
  }

  /** Waits until every live task's process is gone (or its kill finished), then closes their logs. */
  async drain(): Promise<void> {
    await Promise.all([...this.d.live.values()].map((lt) => Promise.race([lt.exited, lt.killing])));
    await Promise.all([...this.d.live.values()].map((lt) => lt.close()));
  }
}

export function now(): string {
  return new Date().toISOString();
}
