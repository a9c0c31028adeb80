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
  pty: boolean;
  timeout_ms: number;
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
}
interface Ended {
  started_at: string | null;
  ended_at: string;
  exit_code: number | null;
  signal: string | null;
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
  | { type: 'fail'; error: string; at: string; exit_code?: number | null; signal?: string | null }
  | { type: 'cancel'; reason: string; at: string };

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
          return { ...base, state: 'failed', started_at: null, ended_at: event.at, exit_code: null, signal: null, error: event.error };
        case 'cancel':
          return { ...base, state: 'cancelled', started_at: null, ended_at: event.at, exit_code: null, signal: null, error: event.reason };
        default:
          throw new TransitionError(task.state, event.type);
      }
    case 'running': {
      const started_at = task.started_at;
      switch (event.type) {
        case 'exit':
          if (event.exit_code === 0 && !event.signal) {
            return { ...base, state: 'done', started_at, ended_at: event.at, exit_code: 0, signal: null };
          }
          return {
            ...base,
            state: 'failed',
            started_at,
            ended_at: event.at,
            exit_code: event.exit_code,
            signal: event.signal,
            error: describeExit(event.exit_code, event.signal),
          };
        case 'fail':
          return { ...base, state: 'failed', started_at, ended_at: event.at, exit_code: event.exit_code ?? null, signal: event.signal ?? null, error: event.error };
        case 'cancel':
          return { ...base, state: 'cancelled', started_at, ended_at: event.at, exit_code: null, signal: null, error: event.reason };
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

function stripState(task: Task): TaskCommon {
  const rest: Partial<Task> & Record<string, unknown> = { ...task };
  for (const key of ['state', 'started_at', 'pid', 'ended_at', 'exit_code', 'signal', 'error']) delete rest[key];
  return rest as TaskCommon;
}

/** Milliseconds since start, or the whole run for a finished task. */
export function elapsedMs(task: Task, now = Date.now()): number {
  if (task.state === 'pending') return 0;
  const start = task.started_at ? Date.parse(task.started_at) : null;
  if (start === null) return 0;
  const end = isTerminal(task) ? Date.parse(task.ended_at) : now;
  return Math.max(0, end - start);
}

/** What a task runs, for one-line displays: its name, else its command or prompt. */
export function taskLabel(task: Task): string {
  return task.name ?? task.command ?? task.prompt ?? '';
}
