/**
 * Where a server's control socket lives: in the data dir's run/, or — when
 * that path is too long for a socket — in a private directory of the user's
 * own: $XDG_RUNTIME_DIR/bgbash (per-user, made by the login manager), else
 * $TMPDIR/bgbash-<uid>. A directory in a shared place may have been made by
 * someone else first (chmod does not change its owner, and whoever owns it
 * can swap the socket), so it is checked with lstat: a real directory, owned
 * by this user, mode 0700. Anything else is refused with a message saying why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config.js';
import type { DataPaths } from '../store/data-dir.js';

// sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;

const fits = (p: string): boolean => Buffer.byteLength(p) <= MAX_SOCKET_PATH;

export function socketPathFor(paths: DataPaths, serverId: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = `${serverId}.sock`;
  const preferred = path.join(paths.run, name);
  if (fits(preferred)) return preferred;
  const uid = process.getuid?.() ?? null;
  const runtime = env.XDG_RUNTIME_DIR && fs.statSync(env.XDG_RUNTIME_DIR, { throwIfNoEntry: false })?.isDirectory() ? path.join(env.XDG_RUNTIME_DIR, 'bgbash') : null;
  const dir = runtime ?? path.join(os.tmpdir(), `bgbash-${uid ?? 'user'}`);
  if (!fits(path.join(dir, name))) {
    throw new ConfigError(`the data dir ${paths.root} is too long a path for the control socket, and so is ${dir}; use a shorter --data-dir`);
  }
  privateDir(dir, uid, paths.root);
  return path.join(dir, name);
}

/** Makes `dir` (mode 0700) or checks the one that is there; throws when it is not this user's alone. */
function privateDir(dir: string, uid: number | null, dataDir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create ${dir} for the control socket: ${(err as Error).message}`);
  }
  const st = fs.lstatSync(dir);
  const problem = st.isSymbolicLink()
    ? 'it is a symlink'
    : !st.isDirectory()
      ? 'it is not a directory'
      : uid !== null && st.uid !== uid
        ? `it belongs to uid ${st.uid}, not to you (uid ${uid})`
        : (st.mode & 0o077) !== 0
          ? `its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}, not 0700`
          : null;
  if (problem) {
    throw new ConfigError(
      `refusing to put the control socket in ${dir}: ${problem}, so another user could take over or read it. ` +
        `Remove it, set XDG_RUNTIME_DIR, or use a data dir short enough for its own run/ (${dataDir} is too long)`,
    );
  }
}
