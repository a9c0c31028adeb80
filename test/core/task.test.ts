import { describe, expect, it } from 'vitest';
import { transition, TransitionError, type Task, type TaskEvent, type TaskState } from '../../src/shared/task.js';

const at = '2026-01-01T00:00:00.000Z';
function pending(): Task {
  return {
    id: '1', kind: 'shell', state: 'pending', command: 'true', prompt: null, cwd: '/', env: {}, name: null, origin: null, session: null,
    deliver_to: [], pty: true, timeout_ms: 1000, server: 's', retry_of: null, notify_on: null, created_at: at, output_bytes: 0, output_dropped: 0, tokens: 0, result: null,
  };
}
const events: Record<TaskEvent['type'], TaskEvent> = {
  start: { type: 'start', pid: 42, at },
  exit: { type: 'exit', exit_code: 0, signal: null, at },
  fail: { type: 'fail', error: 'boom', at },
  cancel: { type: 'cancel', reason: 'by request', at },
};
function inState(state: TaskState): Task {
  const p = pending();
  switch (state) {
    case 'pending': return p;
    case 'running': return transition(p, events.start);
    case 'done': return transition(transition(p, events.start), events.exit);
    case 'failed': return transition(p, events.fail);
    case 'cancelled': return transition(p, events.cancel);
  }
}

describe('transition', () => {
  const allowed: Array<[TaskState, TaskEvent['type'], TaskState]> = [
    ['pending', 'start', 'running'],
    ['pending', 'fail', 'failed'],
    ['pending', 'cancel', 'cancelled'],
    ['running', 'exit', 'done'],
    ['running', 'fail', 'failed'],
    ['running', 'cancel', 'cancelled'],
  ];
  it.each(allowed)('%s --%s--> %s', (from, ev, to) => {
    expect(transition(inState(from), events[ev]).state).toBe(to);
  });

  const forbidden: Array<[TaskState, TaskEvent['type']]> = [
    ['pending', 'exit'],
    ['running', 'start'],
    ...(['done', 'failed', 'cancelled'] as const).flatMap((s) => (['start', 'fail', 'cancel'] as const).map((e) => [s, e] as [TaskState, TaskEvent['type']])),
  ];
  it.each(forbidden)('%s cannot take %s', (from, ev) => {
    expect(() => transition(inState(from), events[ev])).toThrow(TransitionError);
  });

  it('a non-zero exit fails with the exit described', () => {
    const t = transition(inState('running'), { type: 'exit', exit_code: 127, signal: null, at });
    expect(t).toMatchObject({ state: 'failed', exit_code: 127, error: 'exited with code 127 (command not found)' });
    const k = transition(inState('running'), { type: 'exit', exit_code: null, signal: 'SIGSEGV', at });
    expect(k).toMatchObject({ state: 'failed', signal: 'SIGSEGV', error: 'killed by signal SIGSEGV' });
  });

  it('a late exit never overwrites cancelled; it only fills in the exit status', () => {
    const cancelled = transition(inState('running'), events.cancel);
    const late = transition(cancelled, { type: 'exit', exit_code: 0, signal: null, at: '2026-01-01T00:00:09.000Z' });
    expect(late.state).toBe('cancelled');
    expect(late).toMatchObject({ exit_code: 0, ended_at: at, error: 'by request' });
    // ... and only once.
    expect(() => transition(late, events.exit)).toThrow(TransitionError);
  });

  it('a late exit after a timeout keeps failed with the timeout error', () => {
    const timedOut = transition(inState('running'), { type: 'fail', error: 'timed out', at });
    const late = transition(timedOut, { type: 'exit', exit_code: null, signal: 'SIGTERM', at });
    expect(late).toMatchObject({ state: 'failed', error: 'timed out', signal: 'SIGTERM' });
  });

  it('a done task cannot take an exit again', () => {
    expect(() => transition(inState('done'), events.exit)).toThrow(TransitionError);
  });

  it('running carries pid and start; pending has neither', () => {
    const r = inState('running');
    expect(r).toMatchObject({ pid: 42, started_at: at });
    expect(transition(r, events.exit)).not.toHaveProperty('pid');
  });
});
