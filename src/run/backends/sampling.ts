/**
 * Prompt tasks answered by the MCP client's own model (sampling): in-process
 * work shaped like a process, so it gets the same queue, timeout, cancel and
 * lifecycle. Its answer is its output; it "exits" 0 or 1; cancelling aborts
 * the request.
 */
import { UserError } from '../../shared/errors.js';
import type { ExitStatus } from '../process.js';
import { ProcessEvents } from '../process-events.js';
import type { Backend, ExecutorOutcome, TaskProcess } from './backend.js';
import { checkLocalCwd } from './local-tree.js';

export const samplingBackend: Backend = {
  name: 'sampling',
  terminal: false,
  writesLogs: false,
  // Nothing runs in it, but its record names a directory like every task's.
  check: checkLocalCwd,
  async start(spec) {
    const executor = spec.executor;
    if (!executor) throw new UserError('the MCP client that asked for this prompt is gone; nothing can answer it');
    const ac = new AbortController();
    let outcome: ExecutorOutcome | null = null;
    const events = new ProcessEvents();
    const finish = (status: ExitStatus): void => events.exit(status);
    // After the caller has attached its listeners.
    setImmediate(() => {
      executor({ prompt: spec.prompt, timeout_ms: spec.timeout_ms }, ac.signal).then(
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
    const proc: TaskProcess = {
      pid: null,
      write: () => undefined,
      endInput: () => undefined,
      resize: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      onData: events.onData,
      onExit: events.onExit,
      dispose: () => undefined,
      waitingForInput: () => false,
      terminate: async () => ac.abort(),
      outcome: () => outcome,
    };
    return proc;
  },
};
