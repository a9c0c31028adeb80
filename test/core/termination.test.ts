import { describe, expect, it } from 'vitest';
import { transition, type Task, type TaskEvent } from '../../src/shared/task.js';
import { terminationOf } from '../../src/shared/task-fields.js';

const at = '2026-01-01T00:00:00.000Z';
function running(): Task {
  const pending: Task = {
    id: '1', kind: 'shell', state: 'pending', command: 'sleep 9', prompt: null, cwd: '/', env: {}, name: null, origin: null, session: null,
    deliver_to: [], pty: true, backend: 'pty', timeout_ms: 1000, server: 's', retry_of: null, notify_on: null, created_at: at, output_bytes: 0, output_dropped: 0, tokens: 0, result: null,
  };
  return transition(pending, { type: 'start', pid: 42, at });
}
const killedByTerm: TaskEvent = { type: 'exit', exit_code: null, signal: 'SIGTERM', at };
const exited3: TaskEvent = { type: 'exit', exit_code: 3, signal: null, at };
const timeout: TaskEvent = { type: 'fail', error: 'timed out after 1s', reason: 'timeout', at };
const cancelByAgent: TaskEvent = { type: 'cancel', reason: 'cancelled by the agent', by: 'agent', at };
const shutdown: TaskEvent = { type: 'cancel', reason: 'the bgbash server shut down', shutdown: true, at };

/** Applies events in order as the manager does: a move the lifecycle refuses is a late event, dropped. */
function race(...events: TaskEvent[]): Task {
  return events.reduce((t, e) => {
    try {
      return transition(t, e);
    } catch {
      return t;
    }
  }, running());
}

describe('termination reason: the first one recorded wins', () => {
  it('the process exits on its own: exit, or signal when a signal killed it', () => {
    expect(race(exited3)).toMatchObject({ state: 'failed', termination: { reason: 'exit' } });
    expect(race({ type: 'exit', exit_code: 0, signal: null, at })).toMatchObject({ state: 'done', termination: { reason: 'exit' } });
    expect(race(killedByTerm)).toMatchObject({ state: 'failed', termination: { reason: 'signal' } });
  });

  it('a timeout that kills the process stays a timeout; the signal is filled in', () => {
    expect(race(timeout, killedByTerm)).toMatchObject({ state: 'failed', termination: { reason: 'timeout' }, signal: 'SIGTERM' });
  });

  it('a cancel that kills the process stays cancelled, with who asked', () => {
    expect(race(cancelByAgent, killedByTerm)).toMatchObject({ state: 'cancelled', termination: { reason: 'cancelled', by: 'agent' } });
  });

  it('an exit that came first is not turned into a cancel or a timeout', () => {
    expect(race(exited3, cancelByAgent)).toMatchObject({ state: 'failed', exit_code: 3, termination: { reason: 'exit' } });
    expect(race(exited3, timeout)).toMatchObject({ state: 'failed', termination: { reason: 'exit' } });
  });

  it('timeout and cancel racing: whichever came first', () => {
    expect(race(timeout, cancelByAgent, killedByTerm)).toMatchObject({ state: 'failed', termination: { reason: 'timeout' } });
    expect(race(cancelByAgent, timeout, killedByTerm)).toMatchObject({ state: 'cancelled', termination: { reason: 'cancelled', by: 'agent' } });
  });

  it('a shutdown is its own reason', () => {
    expect(race(shutdown, killedByTerm)).toMatchObject({ state: 'cancelled', termination: { reason: 'shutdown' } });
  });

  it('a task that never started: spawn_error, or cancelled while pending', () => {
    const p = { ...running(), state: 'pending' } as Task;
    expect(transition(p, { type: 'fail', error: 'could not start', reason: 'spawn_error', at })).toMatchObject({ termination: { reason: 'spawn_error' } });
    expect(transition(p, cancelByAgent)).toMatchObject({ termination: { reason: 'cancelled', by: 'agent' } });
  });

  it('records written before reasons were data get one from their fields', () => {
    const old = (fields: Record<string, unknown>): Task => ({ ...running(), ended_at: at, exit_code: null, signal: null, ...fields }) as Task;
    expect(terminationOf(old({ state: 'failed', error: 'timed out after 1s and was stopped', signal: 'SIGTERM' }))).toEqual({ reason: 'timeout' });
    expect(terminationOf(old({ state: 'cancelled', error: 'the bgbash server shut down (stdin closed)' }))).toEqual({ reason: 'shutdown' });
    expect(terminationOf(old({ state: 'failed', error: 'exited with code 2', exit_code: 2 }))).toEqual({ reason: 'exit' });
    expect(terminationOf(running())).toBeNull();
  });
});
