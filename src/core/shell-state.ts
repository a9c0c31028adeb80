/**
 * One shell per MCP session, as in the persistent shells models are trained
 * on: the working directory and the variables the agent exported or unset
 * carry from the end of one foreground `bash` call to the next, and into
 * background tasks started afterwards. Aliases, functions and shell options
 * do not carry over (each call is a fresh `bash -c`).
 *
 * A call changes the state by what its shell did: the directory it ended in
 * when it left the one it started in, the variables whose exported value
 * differs from what it was given, those it unset. That delta is applied when
 * the command ends by itself (any exit code); a command that was detached
 * applies it if and when it ends; a cancelled, timed-out or killed one never
 * does. Background tasks read the state and never change it.
 *
 * The capture itself (an EXIT trap) is in run/state-capture.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MARKER_VAR } from '../run/proc.js';
import { CAPTURE_VARS, readCapture, stateFileFor } from '../run/state-capture.js';
import { childEnv } from './child-env.js';
import type { TaskManager } from './manager.js';
import type { Task } from './task.js';

export interface ShellState {
  cwd: string;
  /** Variables the session exported (new or changed values), by name. */
  exported: Record<string, string>;
  /** Variables of the server's environment the session unset. */
  unset: string[];
}

/** What a new task of a session starts with. */
export interface StartState {
  cwd: string;
  env: Record<string, string>;
  env_unset: string[];
  /** Said to the agent: the session's directory is gone, so this runs in the start directory. */
  note: string | null;
}

// Variables bash or bgbash set on their own: never part of what the agent exported.
const IGNORED = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD', 'COLUMNS', 'LINES', MARKER_VAR, ...CAPTURE_VARS]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NOTES = 64;

export class SessionShells {
  private readonly states = new Map<string, ShellState>();
  /** Task id → why its end did not update the state (read once by the call that waited on it). */
  private readonly notes = new Map<string, string>();

  constructor(
    private readonly manager: TaskManager,
    /** The server's directory: every session starts here. */
    readonly startCwd: string,
    /** false: every call starts from the start state (foreground.keepShellState). */
    readonly enabled = true,
  ) {
    manager.on('ended', (task) => this.ended(task));
  }

  current(session: string): ShellState {
    return this.states.get(session) ?? { cwd: this.startCwd, exported: {}, unset: [] };
  }

  /** cwd and env for a new task of `session`; `cwd` and `env` of the call override for it alone. */
  start(session: string, call: { cwd?: string; env?: Record<string, string> } = {}): StartState {
    let state = this.current(session);
    let note: string | null = null;
    if (call.cwd === undefined && !isDirectory(state.cwd)) {
      note = `the working directory ${state.cwd} no longer exists; running in ${this.startCwd} (where the session started) instead`;
      state = { ...state, cwd: this.startCwd };
      if (this.states.has(session)) this.states.set(session, state);
    }
    return {
      cwd: call.cwd === undefined ? state.cwd : path.resolve(state.cwd, call.cwd),
      env: { ...state.exported, ...call.env },
      env_unset: state.unset.filter((name) => !(call.env && name in call.env)),
      note,
    };
  }

  reset(session: string): ShellState {
    this.states.delete(session);
    return this.current(session);
  }

  /** The session ended (its client went away): nothing will read its state again. */
  forget(session: string): void {
    this.states.delete(session);
  }

  /** Why this task's end left the state as it was, once; null when it did not. */
  takeNote(taskId: string): string | null {
    const note = this.notes.get(taskId) ?? null;
    this.notes.delete(taskId);
    return note;
  }

  private ended(task: Task): void {
    if (!task.shell_state || !task.session || task.state === 'cancelled') return;
    // Ended by its own exit: a timeout or a kill ends it with no exit code (or a signal).
    if (!('exit_code' in task) || task.exit_code === null || task.signal !== null) return;
    const captured = readCapture(stateFileFor(this.manager.config.dataDir, task.id));
    if (!captured) {
      this.addNote(task.id, `its working directory and exported variables were not kept (it ran exec or set its own EXIT trap, or the shell is not bash); the next command starts in ${this.current(task.session).cwd}`);
      return;
    }
    const given = childEnv(this.manager.config, task, '');
    const state = this.current(task.session);
    const exported = { ...state.exported };
    const unset = new Set(state.unset);
    for (const [name, value] of captured.env) {
      if (IGNORED.has(name) || !NAME.test(name) || given[name] === value) continue;
      exported[name] = value;
      unset.delete(name);
    }
    for (const name of Object.keys(given)) {
      if (IGNORED.has(name) || captured.env.has(name)) continue;
      delete exported[name];
      unset.add(name);
    }
    const cwd = captured.cwd !== task.cwd ? captured.cwd : state.cwd;
    this.states.set(task.session, { cwd, exported, unset: [...unset] });
  }

  private addNote(taskId: string, note: string): void {
    this.notes.set(taskId, note);
    if (this.notes.size > MAX_NOTES) this.notes.delete(this.notes.keys().next().value!);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
