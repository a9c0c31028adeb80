/** Long-polls on a task: until it ends, until new output arrives, until a line matches. */
import type { Pattern } from './pattern.js';
import { LineWatcher } from './line-watch.js';
import type { TaskManager } from './manager.js';
import { isTerminal, type Task } from '../shared/task.js';

/** Resolves with the task when it ends or when `ms` runs out (or the caller aborts). */
export function waitForEnd(m: TaskManager, id: string, ms: number, signal?: AbortSignal): Promise<Task> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      m.off('ended', onEnd);
      signal?.removeEventListener('abort', done);
      resolve(m.fresh(id));
    };
    const onEnd = (t: Task): void => {
      if (t.id === id) void m.processGone(id).then(done);
    };
    const timer = setTimeout(done, ms);
    m.on('ended', onEnd);
    signal?.addEventListener('abort', done, { once: true });
    if (isTerminal(m.get(id))) void m.processGone(id).then(done);
  });
}

/** Resolves when the log grows past `since`, the task ends, or `ms` runs out. */
export function waitForOutput(m: TaskManager, id: string, since: number, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      m.off('output', onOutput);
      m.off('ended', onEnd);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const onOutput = (tid: string): void => {
      if (tid === id) done();
    };
    const onEnd = (t: Task): void => {
      if (t.id === id) void m.processGone(id).then(done);
    };
    const timer = setTimeout(done, ms);
    m.on('output', onOutput);
    m.on('ended', onEnd);
    signal?.addEventListener('abort', done, { once: true });
    if (m.outputSize(id) > since || isTerminal(m.get(id))) done();
  });
}

/** Resolves true when a line of new output matches, false when the task ends or time runs out. */
export function waitForLine(m: TaskManager, id: string, pattern: Pattern, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (hit: boolean): void => {
      clearTimeout(timer);
      m.off('output', onOutput);
      m.off('ended', onEnd);
      signal?.removeEventListener('abort', abort);
      resolve(hit);
    };
    const abort = (): void => finish(false);
    const watcher = new LineWatcher(pattern, () => setImmediate(() => finish(true)));
    const onOutput = (tid: string, chunk: Buffer): void => {
      if (tid === id) watcher.feed(chunk);
    };
    const onEnd = (t: Task): void => {
      if (t.id === id) void m.processGone(id).then(() => finish(false));
    };
    const timer = setTimeout(abort, ms);
    m.on('output', onOutput);
    m.on('ended', onEnd);
    signal?.addEventListener('abort', abort, { once: true });
    if (isTerminal(m.get(id))) finish(false);
  });
}
