/** The events the TaskManager emits; notify/, mcp/ and control/ subscribe to them. */
import { EventEmitter } from 'node:events';
import type { Stream } from '../run/process.js';
import type { Task } from '../shared/task.js';

export type DetachReason = 'yield' | 'until' | 'listening' | 'request' | 'client';
/** Who asked for a 'request' detach: the detach key in `bgbash attach`, or `bgbash detach` (any other control client). */
export type DetachSource = 'attach' | 'cli';

export interface TaskEvents {
  /** A task was created (pending or about to start). */
  created: [task: Task];
  /** Any change of the record: state transitions and late exit details. */
  changed: [task: Task, previous: Task];
  /** The task reached a terminal state. Emitted once per task. */
  ended: [task: Task];
  output: [id: string, chunk: Buffer, stream: Stream];
  /** An ended task's process is gone and its output complete: the record is final. Once per task. */
  settled: [task: Task];
  /** A foreground call will wait for this task: emitted before it starts, so a detach reaches it from its first moment. */
  foreground: [id: string];
  /** A foreground call stopped waiting for the task. */
  detached: [id: string, reason: DetachReason];
  /** Something went wrong that is not a task's fault (e.g. the disk is full). */
  warning: [message: string];
}

export class TaskEmitter extends EventEmitter<TaskEvents> {}
