/** Where a server's control socket lives: in the data dir, or a short user-only temp dir when that path is too long for a socket. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataPaths } from '../store/data-dir.js';

// sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;

export function socketPathFor(paths: DataPaths, serverId: string): string {
  const preferred = path.join(paths.run, `${serverId}.sock`);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const dir = path.join(os.tmpdir(), `bgbash-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return path.join(dir, `${serverId}.sock`);
}
