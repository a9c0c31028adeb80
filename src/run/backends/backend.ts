/**
 * What a backend is: one way of running a task's processes (a local pty, local
 * pipes, an agent CLI, the MCP client's model, another machine over ssh). The
 * task manager only talks to this interface; everything about processes —
 * spawning, input, "is it waiting for input", ending the whole tree, reaping
 * what a dead server left behind — lives in the backend's own file.
 */
import type { Config } from '../../config.js';
import type { DirectLogs } from '../pipe-runner.js';
import { MARKER_VAR } from '../proc-types.js';
import type { RunningProcess } from '../process.js';

/** Work done in-process instead of by a process: a prompt for the MCP client's model. */
export interface ExecutorResult {
  text: string;
  input_tokens: number | null;
  output_tokens: number | null;
}
export type Executor = (request: { prompt: string | null; timeout_ms: number }, signal: AbortSignal) => Promise<ExecutorResult>;
export type ExecutorOutcome = ({ ok: true } & ExecutorResult) | { ok: false; error: string };

/** Everything a backend needs to start a task; plain data, no task manager. */
export interface LaunchSpec {
  id: string;
  /** The server that runs it (its watchdog reaps the task should the server die). */
  server: string;
  /** Value of the marker variable every process of the task inherits (see proc.ts). */
  marker: string;
  kind: 'shell' | 'prompt';
  /** Shell tasks: the command line, already wrapped by whoever wraps commands. */
  command: string | null;
  prompt: string | null;
  runner: string | null;
  cwd: string;
  /** The task's own variables (not the server's environment). */
  env: Record<string, string>;
  /** The environment of the agent session that started it; absent: the server's own. */
  baseEnv?: Record<string, string>;
  /** Variables its session's shell unset: removed from the server's environment. */
  envUnset: string[];
  /** A foreground call whose end becomes its session's shell state (core/shell-state.ts): capture it. */
  shellState: boolean;
  /** Asked for a terminal (local or remote pty). */
  pty: boolean;
  timeout_ms: number;
  config: Config;
  /** Backends with `writesLogs`: where the child writes its output itself. */
  logs?: DirectLogs;
  /** Sampling: the session's answerer. */
  executor?: Executor | null;
}

export interface TaskProcess extends RunningProcess {
  /** Some process of it sleeps reading its input (the caller checks quietness first); null: cannot tell here. */
  waitingForInput(): boolean | null;
  /** Ends the whole tree: SIGTERM, `graceMs`, SIGKILL. Also reaps leftovers after an exit. Idempotent. */
  terminate(graceMs: number): Promise<void>;
  /** TCP ports its processes listen on (found from its own processes; absent where it cannot tell). */
  listeningPorts?(): number[];
  /** Sampling: how the in-process work ended. */
  outcome?(): ExecutorOutcome | null;
}

export interface Backend {
  /** Registry key; also what a task records as its `backend`. */
  readonly name: string;
  /** A terminal merges stdout and stderr into one stream. */
  readonly terminal: boolean;
  /** The child writes its own log files (`LaunchSpec.logs`). */
  readonly writesLogs: boolean;
  /** Why it cannot run on this machine (a native module did not load), or null. */
  unavailable?(): Promise<string | null>;
  /** Where its tasks run instead when unavailable (the record says so). */
  readonly fallback?: string;
  /** Where a task runs given the cwd it asked for (default: resolved against this process's cwd). */
  resolveCwd?(cwd: string | undefined): string;
  /** Checked before the task exists: throws a UserError naming what is wrong. */
  check?(spec: { cwd: string }): void;
  start(spec: LaunchSpec): Promise<TaskProcess>;
  /** Start-up recovery: ends processes a dead server's tasks left behind. Returns how many. */
  reapOrphans?(serverId: string, since: number | null, graceMs: number): Promise<number>;
}

/**
 * The variables every task's processes get on top of `base` (the task's session's environment when it has one);
 * pagers would wait for a keypress no one sends. `base` null: nothing under them, for a remote host's script,
 * which must carry only what is the task's own, never the agent's local environment.
 */
export function taskEnv(spec: LaunchSpec, base: Record<string, string | undefined> | null, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  if (base) for (const [k, v] of Object.entries(spec.baseEnv ?? base)) if (v !== undefined) env[k] = v;
  Object.assign(env, { TERM: spec.config.terminal.term, PAGER: 'cat', GIT_PAGER: 'cat' }, extra);
  // What the session's shell unset stays unset; what it exported (in spec.env) is set below.
  for (const name of spec.envUnset) delete env[name];
  Object.assign(env, spec.env);
  // bash keeps a logical PWD it is given when it names the directory it starts in ("~…" is a remote home).
  if (spec.cwd.startsWith('/')) env.PWD = spec.cwd;
  env[MARKER_VAR] = spec.marker;
  return env;
}
