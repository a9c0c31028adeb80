/**
 * In-process work shaped like a process, so the TaskManager runs it with the
 * same queue, timeout, cancel and lifecycle: a prompt sent to the MCP client's
 * own model (sampling). Its answer is its "output"; it "exits" 0 or 1.
 */
import type { ExitStatus, RunningProcess } from '../run/process.js';
import { ProcessEvents } from '../run/process-events.js';
import type { Task } from './task.js';

export interface ExecutorResult {
  text: string;
  input_tokens: number | null;
  output_tokens: number | null;
}

export type Executor = (task: Task, signal: AbortSignal) => Promise<ExecutorResult>;

export type ExecutorOutcome = ({ ok: true } & ExecutorResult) | { ok: false; error: string };

export interface ExecutorProcess extends RunningProcess {
  outcome(): ExecutorOutcome | null;
}

export function runExecutor(executor: Executor, task: Task): ExecutorProcess {
  const ac = new AbortController();
  let outcome: ExecutorOutcome | null = null;
  const events = new ProcessEvents();
  const finish = (status: ExitStatus): void => events.exit(status);
  // After the caller has attached its listeners.
  setImmediate(() => {
    executor(task, ac.signal).then(
      (r) => {
        outcome = { ok: true, ...r };
        events.data(Buffer.from(r.text.endsWith('\n') ? r.text : r.text + '\n'));
        finish({ exit_code: 0, signal: null });
      },
      (err: Error) => {
        outcome = { ok: false, error: ac.signal.aborted ? 'stopped' : err.message };
        finish(ac.signal.aborted ? { exit_code: null, signal: 'SIGTERM' } : { exit_code: 1, signal: null });
      },
    );
  });
  return {
    pid: null,
    write: () => undefined,
    endInput: () => undefined,
    resize: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    onData: events.onData,
    onExit: events.onExit,
    dispose: () => undefined,
    abort: () => ac.abort(),
    outcome: () => outcome,
  };
}
