/**
 * The task record and the one function allowed to change its state.
 *
 * Data that only exists in some states lives in those states' variants, so a
 * pending task cannot carry an exit code and a finished one always has an end
 * time (pueue's task.rs does the same in Rust).
 */

export type TaskState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
export type TerminalState = 'done' | 'failed' | 'cancelled';
export type TaskKind = 'shell' | 'prompt';

/**
 * Why a task ended, as data (`error` stays the sentence a person reads). The
 * first reason recorded wins: a cancel that kills the process is `cancelled`
 * even though the process then dies of a signal.
 */
export type TerminationReason = 'exit' | 'signal' | 'timeout' | 'cancelled' | 'shutdown' | 'server_lost' | 'spawn_error' | 'output_limit' | 'connection_lost';
export const TERMINATION_REASONS: readonly TerminationReason[] = ['exit', 'signal', 'timeout', 'cancelled', 'shutdown', 'server_lost', 'spawn_error', 'output_limit', 'connection_lost'];
export interface Termination {
  reason: TerminationReason;
  /** `cancelled`: who asked ("agent", "client", "cli", "tasks page", …). */
  by?: string | null;
}

/** Fields every task has, whatever its state. Snake case: these go out as-is to agents. */
export interface TaskCommon {
  id: string;
  kind: TaskKind;
  command: string | null;
  prompt: string | null;
  cwd: string;
  env: Record<string, string>;
  /** Variables removed from the server's environment for this task (the session's shell unset them). */
  env_unset?: string[];
  /** A foreground `bash` call: how its shell ends (cwd, exports) becomes its session's shell state. */
  shell_state?: boolean;
  name: string | null;
  origin: string | null;
  session: string | null;
  deliver_to: string[];
  /** Under a terminal (a local or remote pty): one output stream, stdout and stderr merged. */
  pty: boolean;
  /**
   * The backend that runs it: pty, pipe, agent, sampling, or a configured one
   * (an ssh host's name). Absent in records written before backends existed.
   */
  backend?: string;
  /** Why it runs on another backend than asked (node-pty could not load: pipes instead). */
  backend_note?: string | null;
  timeout_ms: number;
  /** Keeps running when the agent session that started it ends (servers, watchers); no default timeout. */
  persistent?: boolean;
  /** Where it belongs: the git worktree root of its cwd, else its cwd (finding a named task again). */
  project?: string;
  /** It failed because an address was in use: who holds the port, in a sentence. */
  port_clash?: string | null;
  /** Server that owns the task; recovery only touches tasks whose server is gone. */
  server: string;
  retry_of: string | null;
  /** Regex: each matching output line sends a notice while the task runs. */
  notify_on: string | null;
  created_at: string;
  output_bytes: number;
  /** Output bytes dropped past the per-task cap. */
  output_dropped: number;
  /** Shell tasks: estimate of the output's size in model tokens. Prompt tasks: usage reported by the runner. */
  tokens: number;
  result: string | null;
  /** Prompt tasks: the runner that runs them ("claude", "codex", …, or "sampling": the MCP client's model). */
  runner?: string | null;
  /** Prompt tasks: usage the runner reported (null where it reports none). */
  usage?: { input_tokens: number | null; output_tokens: number | null } | null;
  /** Why the output log could not be written (disk full, unwritable): only the last part is kept, in memory. */
  output_error?: string | null;
  /** Why this server could not save the task's record (disk full): it keeps trying; in memory only, never written. */
  record_error?: string | null;
  /** How the completion notice fared at each deliver_to target. */
  deliveries?: Array<{ target: string; ok: boolean; attempts: number; error: string | null; at: string }>;
}

export interface PendingTask extends TaskCommon {
  state: 'pending';
}
export interface RunningTask extends TaskCommon {
  state: 'running';
  started_at: string;
  /** null for work done in-process (a prompt sent to the MCP client's model). */
  pid: number | null;
  /** TCP ports its processes listen on, last time they were looked at. */
  ports?: number[];
}
interface Ended {
  started_at: string | null;
  ended_at: string;
  exit_code: number | null;
  signal: string | null;
  /** Absent in records written before reasons were data: see terminationOf(). */
  termination?: Termination;
}
export interface DoneTask extends TaskCommon, Ended {
  state: 'done';
  exit_code: 0;
}
export interface FailedTask extends TaskCommon, Ended {
  state: 'failed';
  error: string;
}
export interface CancelledTask extends TaskCommon, Ended {
  state: 'cancelled';
  error: string;
}

export type Task = PendingTask | RunningTask | DoneTask | FailedTask | CancelledTask;
export type EndedTask = DoneTask | FailedTask | CancelledTask;

export type TaskEvent =
  | { type: 'start'; pid: number | null; at: string }
  /** The process ended on its own (or after we killed it for a reason recorded earlier). */
  | { type: 'exit'; exit_code: number | null; signal: string | null; at: string }
  /** Failed for a reason other than its exit status: timeout, could not start, runner error. */
  | { type: 'fail'; error: string; at: string; exit_code?: number | null; signal?: string | null; reason: TerminationReason }
  /** Ended on request: `by` who (reason `cancelled`), or by the server shutting down (`shutdown`). */
  | { type: 'cancel'; reason: string; at: string; by?: string | null; shutdown?: boolean };

export class TransitionError extends Error {
  constructor(
    readonly from: TaskState,
    readonly event: TaskEvent['type'],
  ) {
    super(`a ${from} task cannot take '${event}'`);
  }
}

export function isTerminal(task: Task): task is EndedTask {
  return task.state === 'done' || task.state === 'failed' || task.state === 'cancelled';
}

/** What a person reads for an exit status the task did not ask for. */
export function describeExit(exitCode: number | null, signal: string | null): string {
  if (signal) return `killed by signal ${signal}`;
  if (exitCode === 127) return 'exited with code 127 (command not found)';
  if (exitCode === 126) return 'exited with code 126 (command not executable)';
  return `exited with code ${exitCode}`;
}

/**
 * The only writer of `state`. Returns the new record, or throws TransitionError
 * for a move the lifecycle forbids.
 *
 * An `exit` that arrives after the task already ended (a cancel or timeout
 * killed it) does not change the state: it only fills in the exit status the
 * record was still missing. That is how a late exit never overwrites
 * `cancelled`.
 */
export function transition(task: Task, event: TaskEvent): Task {
  const base = stripState(task);
  switch (task.state) {
    case 'pending':
      switch (event.type) {
        case 'start':
          return { ...base, state: 'running', started_at: event.at, pid: event.pid };
        case 'fail':
          return { ...base, state: 'failed', started_at: null, ended_at: event.at, exit_code: null, signal: null, error: event.error, termination: { reason: event.reason } };
        case 'cancel':
          return { ...base, state: 'cancelled', started_at: null, ended_at: event.at, exit_code: null, signal: null, error: event.reason, termination: cancelTermination(event) };
        default:
          throw new TransitionError(task.state, event.type);
      }
    case 'running': {
      const started_at = task.started_at;
      switch (event.type) {
        case 'exit':
          if (event.exit_code === 0 && !event.signal) {
            return { ...base, state: 'done', started_at, ended_at: event.at, exit_code: 0, signal: null, termination: { reason: 'exit' } };
          }
          return {
            ...base,
            state: 'failed',
            started_at,
            ended_at: event.at,
            exit_code: event.exit_code,
            signal: event.signal,
            error: describeExit(event.exit_code, event.signal),
            termination: { reason: event.signal ? 'signal' : 'exit' },
          };
        case 'fail':
          return {
            ...base,
            state: 'failed',
            started_at,
            ended_at: event.at,
            exit_code: event.exit_code ?? null,
            signal: event.signal ?? null,
            error: event.error,
            termination: { reason: event.reason },
          };
        case 'cancel':
          return { ...base, state: 'cancelled', started_at, ended_at: event.at, exit_code: null, signal: null, error: event.reason, termination: cancelTermination(event) };
        default:
          throw new TransitionError(task.state, event.type);
      }
    }
    default:
      if (event.type === 'exit' && task.exit_code === null && task.signal === null) {
        // Terminal already: record how the process finally went, keep the state.
        return { ...task, exit_code: event.exit_code, signal: event.signal } as EndedTask;
      }
      throw new TransitionError(task.state, event.type);
  }
}

function cancelTermination(event: Extract<TaskEvent, { type: 'cancel' }>): Termination {
  return event.shutdown ? { reason: 'shutdown' } : { reason: 'cancelled', by: event.by ?? null };
}

function stripState(task: Task): TaskCommon {
  const rest: Partial<Task> & Record<string, unknown> = { ...task };
  for (const key of ['state', 'started_at', 'pid', 'ports', 'ended_at', 'exit_code', 'signal', 'error', 'termination']) delete rest[key];
  return rest as TaskCommon;
}
