/**
 * One shell per MCP session, as in the persistent shells models are trained
 * on: the working directory and the variables the agent exported or unset
 * carry from the end of one foreground `bash` call to the next, and into
 * background tasks started afterwards. Aliases, functions and shell options
 * do not carry over (each call is a fresh `bash -c`).
 *
 * A call changes the state by what its shell did: the directory it ended in
 * when it left the one it started in, the variables whose exported value
 * differs from what it was given, those it unset (the capture itself tells
 * "changed" from "given", see run/state-capture.ts). That delta is applied when
 * the command ends by itself (any exit code); a command that was detached
 * applies it if and when it ends; a cancelled, timed-out or killed one never
 * does. Background tasks read the state and never change it.
 *
 * Each session has one shell per place it runs in: this machine, and each
 * configured remote backend (an ssh host), whose directories and variables
 * are the remote machine's and never mix with the local ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MARKER_VAR } from '../run/process-table.js';
import { CAPTURE_VARS, readCapture, stateFileFor } from '../run/state-capture.js';
import type { TaskManager } from './manager.js';
import { type Task } from '../shared/task.js';
import { backendOf } from '../shared/task-fields.js';
import { formatBytes } from '../shared/units.js';

export interface ShellState {
  cwd: string;
  /** Variables the session exported (new or changed values), by name. */
  exported: Record<string, string>;
  /** Variables of the server's environment the session unset. */
  unset: string[];
}

/** Where a session's shell runs: this machine, or a configured remote backend (its directory when no call moved it). */
export interface ShellPlace {
  backend: string;
  startCwd: string;
}

/** The local backends: one shell on this machine, whichever of them a call uses. */
const LOCAL = new Set(['pty', 'pipe']);
const placeKey = (backend: string | null | undefined): string => (!backend || LOCAL.has(backend) ? 'local' : backend);

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
/** Linux's MAX_ARG_STRLEN: one "NAME=value" string handed to execve may be at most 32 pages. Past it, every spawn fails with E2BIG. */
export const MAX_ENV_ENTRY = 128 * 1024;
/**
 * What the session's exported variables may take in all: half of the usual ARG_MAX (2 MiB), the other half
 * left for the server's own environment and the command.
 */
export const ENV_BUDGET = 1024 * 1024;

/** Bytes of one variable as execve takes it: "NAME=value" and its NUL. */
export function envEntryBytes(name: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
}

function totalEnvBytes(env: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(env)) n += envEntryBytes(k, v);
  return n;
}

export class SessionShells {
  /** By place, then session. */
  private readonly states = new Map<string, Map<string, ShellState>>();
  /** Where each remote place's shells start. */
  private readonly remoteStarts = new Map<string, string>();
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

  /** Where a session's shell starts: its agent's directory (a daemon serves many), else the server's. */
  private startOf(session: string): string {
    return this.manager.sessions.get(session)?.cwd ?? this.startCwd;
  }

  private shells(backend: string | null | undefined): Map<string, ShellState> {
    const key = placeKey(backend);
    let place = this.states.get(key);
    if (!place) this.states.set(key, (place = new Map()));
    return place;
  }

  /** A session's shell on this machine, or on a remote backend. */
  current(session: string, backend?: string | null): ShellState {
    const key = placeKey(backend);
    const start = key === 'local' ? this.startOf(session) : (this.remoteStarts.get(key) ?? '~');
    return this.shells(backend).get(session) ?? { cwd: start, exported: {}, unset: [] };
  }

  /** The session's shells on remote backends that it used, by backend name. */
  remote(session: string): Array<[string, ShellState]> {
    return [...this.states].filter(([key, place]) => key !== 'local' && place.has(session)).map(([key, place]) => [key, place.get(session)!]);
  }

  /** cwd and env for a new task of `session` (on `place`, default this machine); `cwd` and `env` of the call override for it alone. */
  start(session: string, call: { cwd?: string; env?: Record<string, string> } = {}, place?: ShellPlace): StartState {
    const remote = placeKey(place?.backend) !== 'local';
    if (remote) this.remoteStarts.set(place!.backend, place!.startCwd);
    let state = this.current(session, place?.backend);
    let note: string | null = null;
    // A remote directory is checked by the remote shell's own `cd`, not here.
    if (!remote && call.cwd === undefined && !isDirectory(state.cwd)) {
      note = `the working directory ${state.cwd} no longer exists; running in ${this.startOf(session)} (where the session started) instead`;
      state = { ...state, cwd: this.startOf(session) };
      if (this.shells(null).has(session)) this.shells(null).set(session, state);
    }
    return {
      cwd: call.cwd === undefined ? state.cwd : remote ? remotePath(state.cwd, call.cwd) : path.resolve(state.cwd, call.cwd),
      env: { ...state.exported, ...call.env },
      env_unset: state.unset.filter((name) => !(call.env && name in call.env)),
      note,
    };
  }

  /** Back to the start state, on every place. */
  reset(session: string): ShellState {
    this.forget(session);
    return this.current(session);
  }

  /** The session ended (its client went away): nothing will read its state again. */
  forget(session: string): void {
    for (const place of this.states.values()) place.delete(session);
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
    const backend = backendOf(task);
    const captured = readCapture(stateFileFor(this.manager.config.dataDir, task.id));
    if (!captured) {
      // A full data dir keeps the capture (or its prelude) from being written: say that, not a guess about the command.
      const full = dataDirFull(this.manager.config.dataDir);
      const why = full ? `the data dir ${this.manager.config.dataDir} is full (${full}), so the shell's state could not be saved` : 'it ran exec or set its own EXIT trap, or the shell is not bash 4.4 or later';
      this.addNote(task.id, `its working directory and exported variables were not kept (${why}); the next command starts in ${this.current(task.session, backend).cwd}`);
      return;
    }
    const state = this.current(task.session, backend);
    const exported = { ...state.exported };
    const unset = new Set(state.unset);
    const refused: string[] = [];
    const tooBig = new Set<string>();
    for (const [name, value] of captured.set) {
      if (IGNORED.has(name) || !NAME.test(name)) continue;
      const size = envEntryBytes(name, value);
      if (size > MAX_ENV_ENTRY) {
        refused.push(`${name} (${formatBytes(size)})`);
        tooBig.add(name);
        continue;
      }
      exported[name] = value;
      unset.delete(name);
    }
    // Within the per-variable limit, many together can still pass what one process may be given in all:
    // the largest this call set go first.
    const fresh = [...captured.set.keys()].filter((n) => n in exported && !tooBig.has(n));
    fresh.sort((a, b) => exported[b].length - exported[a].length);
    while (fresh.length && totalEnvBytes(exported) > ENV_BUDGET) {
      const name = fresh.shift()!;
      refused.push(`${name} (${formatBytes(envEntryBytes(name, exported[name]))})`);
      if (name in state.exported) exported[name] = state.exported[name];
      else delete exported[name];
    }
    if (refused.length) {
      this.addNote(
        task.id,
        `not kept: export ${refused.join(', ')}. A process cannot be started with a variable over 128 KiB (or 1 MiB of exported variables in all): every later command would fail with E2BIG. ` +
          `The session's shell keeps ${refused.length > 1 ? 'them' : 'it'} as before this call; keep large data in a file and export its path`,
      );
    }
    for (const name of captured.unset) {
      if (IGNORED.has(name) || !NAME.test(name)) continue;
      delete exported[name];
      unset.add(name);
    }
    const cwd = captured.cwd !== task.cwd ? captured.cwd : state.cwd;
    this.shells(backend).set(task.session, { cwd, exported, unset: [...unset] });
  }

  private addNote(taskId: string, note: string): void {
    this.notes.set(taskId, note);
    if (this.notes.size > MAX_NOTES) this.notes.delete(this.notes.keys().next().value!);
  }
}

/** A call's `cwd` on a remote machine: absolute, or relative to the session's remote directory (`~` is the remote home). */
function remotePath(base: string, cwd: string): string {
  return cwd.startsWith('/') || cwd === '~' || cwd.startsWith('~/') ? cwd : path.posix.join(base, cwd);
}

/** "no space left" or "no inodes left" when the file system of `dir` is (nearly) full, else null. */
function dataDirFull(dir: string): string | null {
  try {
    const st = fs.statfsSync(dir);
    if (st.files > 0 && st.ffree === 0) return 'no inodes left';
    // Less than what one capture may take: a few pages.
    if (st.bavail * st.bsize < 64 * 1024) return 'no space left';
  } catch {
    /* unknown: no claim either way */
  }
  return null;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
