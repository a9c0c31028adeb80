/**
 * The control socket's protocol, imported by both ends: newline-delimited
 * JSON. A client sends requests `{id, verb, args}`; the server answers each
 * with `{id, ok, result | error}`. After a `subscribe`, the server also
 * sends events `{event, ...}` on that connection.
 */
import type { Task } from '../shared/task.js';
import type { Notice } from '../notify/notice.js';
import type { ServerInfo } from '../store/servers.js';

export interface Requests {
  hello: { args: Record<string, never>; result: { server: ServerInfo; foreground: string[]; session: string; wake_idle: boolean } };
  list: { args: Record<string, never>; result: { tasks: Task[] } };
  status: { args: { id: string }; result: { task: Task; waiting_for_input: boolean | null; output_file: string; settled: boolean } };
  cancel: { args: { id: string; by?: 'cli' | 'tasks page' }; result: { task: Task } };
  retry: { args: { id: string }; result: { task: Task } };
  run: { args: { command: string; name?: string; cwd?: string; env?: Record<string, string>; timeout_ms?: number; pty?: boolean }; result: { task: Task } };
  input: { args: { id: string; data: string }; result: { task: Task } };
  resize: { args: { id: string; cols: number; rows: number }; result: Record<string, never> };
  /** Detach a foreground run: the given one, or the newest. */
  detach: { args: { id?: string; by?: 'attach' | 'cli' }; result: { id: string } };
  /** Events from now on: every task change, and the output of `output_of` tasks (all when "*"). */
  subscribe: { args: { output_of?: string[] }; result: { offsets: Record<string, number> } };
  /**
   * Bytes [start, end) of a task's output, at most READ_MAX of them: what a running task's log holds in memory and
   * has not written to its file yet (a client reads the file first, then asks for the rest).
   */
  read: { args: { id: string; start: number; end: number }; result: { data: string /* base64 */ } };
  /** Take the session's undelivered notices (hooks). */
  drain: { args: { session?: string; max?: number }; result: { notices: Notice[] } };
}

export type Verb = keyof Requests;

export interface Request<V extends Verb = Verb> {
  id: number;
  verb: V;
  args: Requests[V]['args'];
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string; code: 'usage' | 'not_found' | 'internal' };

export type Event =
  | { event: 'task'; task: Task }
  /** The task ended and its output is complete. */
  | { event: 'settled'; task: Task }
  | { event: 'output'; id: string; offset: number; data: string /* base64 */ }
  | { event: 'detached'; id: string; reason: string }
  | { event: 'notice'; notice: Notice }
  /** The server ended this connection's subscription (it fell too far behind); the connection closes next. */
  | { event: 'dropped'; reason: string };

export const VERBS: readonly Verb[] = ['hello', 'list', 'status', 'cancel', 'retry', 'run', 'input', 'resize', 'detach', 'subscribe', 'read', 'drain'];

/** The most one `read` answers. */
export const READ_MAX = 1024 * 1024;
