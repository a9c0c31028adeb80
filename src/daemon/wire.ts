/**
 * What crosses between a `bgbash serve` front-end and the daemon, and where
 * the daemon listens. Both ends import this file; the front-end runs in the
 * small launcher (dist/cli/main.js), so it imports nothing but node: modules
 * and the version.
 *
 * The session socket speaks one JSON line each way, then the MCP byte stream:
 *   front-end → daemon: a Hello line (who the agent session is: its pid, cwd,
 *   environment, config flags, and the opening request the front-end
 *   answered itself, if it did);
 *   daemon → front-end: a Welcome line ({ok: true, ...}) or a Refusal
 *   ({ok: false, error}), after which the daemon closes. A second live
 *   session under a name the daemon already serves is refused.
 * Then the client's JSON-RPC lines go one way and the server's the other,
 * unchanged. `WIRE_PROTOCOL` changes whenever these lines change; a front-end
 * only ever talks to a daemon of its own build (the socket's name says which).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../version.js';

export const WIRE_PROTOCOL = 2;
/** A Hello carries the agent's environment; more than this is not one. */
export const MAX_HELLO_BYTES = 4 << 20;

export interface Hello {
  bgbash: 'session';
  protocol: number;
  version: string;
  build: string;
  /** The front-end's pid: the agent's child, which hooks find by ancestry. */
  pid: number;
  cwd: string;
  env: Record<string, string>;
  /** `--session`, `--config`, `--set` of the serve command line (--data-dir chose the daemon). */
  session?: string;
  configFile?: string;
  overrides?: Record<string, string>;
  /** The opening server/discover the front-end answered before the daemon was reached (mcp/opening-answer.ts). */
  answered?: { id: string | number; result: Record<string, unknown> };
}

export type Welcome = { ok: true; session: string; server: string; daemon: { id: string; pid: number }; warnings?: string[] };
/**
 * `stopping`: the daemon is exiting; the front-end reaches (or starts) the next one.
 * `again`: the session's name is still held by a session of that name that is ending; the front-end asks again.
 */
export type Refusal = { ok: false; error: string; stopping?: boolean; again?: boolean };

/** Which build this is: the version and the bundle's size and time, so a rebuilt copy never talks to an old daemon. */
export function buildId(bundle: string): string {
  let stamp = '';
  try {
    const st = fs.statSync(bundle);
    stamp = `${st.size}:${Math.floor(st.mtimeMs)}`;
  } catch {
    /* run from tsc's tree: the version alone */
  }
  return crypto.createHash('sha1').update(`${VERSION}\0${stamp}`).digest('hex').slice(0, 10);
}

// sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;

/**
 * The daemon's session socket for this data dir and build: in the data dir's
 * run/ (0700), else — a path too long for a socket — in the user's private
 * runtime dir, named after the data dir. `check` says whether the directory
 * is this user's alone (the front-end sends the agent's environment there).
 */
export function daemonSocketPath(dataDir: string, build: string, env: NodeJS.ProcessEnv = process.env): { path: string; dir: string } {
  const name = `daemon-${build}.sock`;
  const run = path.join(dataDir, 'run');
  if (Buffer.byteLength(path.join(run, name)) <= MAX_SOCKET_PATH) return { path: path.join(run, name), dir: run };
  const runtime = runtimeDir(env);
  return { path: path.join(runtime, `daemon-${dataDirTag(dataDir)}-${build}.sock`), dir: runtime };
}

/** The daemon's lock (daemon-lock.ts): in the data dir, whatever the environment, naming the socket it serves on. */
export function daemonLockPath(dataDir: string, build: string): string {
  return path.join(dataDir, 'run', `daemon-${build}.lock`);
}

/** The user's private runtime dir: $XDG_RUNTIME_DIR/bgbash, else $TMPDIR/bgbash-<uid> (made 0700; checked with unsafeDir). */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 'user';
  return env.XDG_RUNTIME_DIR && fs.statSync(env.XDG_RUNTIME_DIR, { throwIfNoEntry: false })?.isDirectory() ? path.join(env.XDG_RUNTIME_DIR, 'bgbash') : path.join(os.tmpdir(), `bgbash-${uid}`);
}

const dataDirTag = (dataDir: string): string => crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 8);

/**
 * Where a data dir's daemon writes what it has to say (its stderr): in the
 * private runtime dir, not the data dir, so that a daemon holds no file open
 * for writing there (a data dir can still be remounted read-only, or unmounted).
 */
export function daemonLogPath(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(runtimeDir(env), `daemon-${dataDirTag(dataDir)}.log`);
}

/** Why a socket directory is not safe to talk through (null: it is this user's alone). */
export function unsafeDir(dir: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : (err as Error).message;
  }
  const uid = process.getuid?.();
  if (st.isSymbolicLink()) return 'it is a symlink';
  if (!st.isDirectory()) return 'it is not a directory';
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to you (uid ${uid})`;
  if ((st.mode & 0o077) !== 0) return `its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}, not 0700`;
  return null;
}

/** One JSON line off the front of a stream's bytes: the parsed value and what followed it, or null while incomplete. */
export function takeLine(buf: Buffer): { line: string; rest: Buffer } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  return { line: buf.subarray(0, nl).toString('utf8'), rest: buf.subarray(nl + 1) };
}
