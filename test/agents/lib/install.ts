/** `bgbash install <agent>` run in a workspace, as a user would run it: the shim on PATH, HOME and cwd the workspace's. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Workspace } from './workspace.js';

export function bgbashInstall(ws: Workspace, args: string[], env: Record<string, string> = ws.env): string {
  return execFileSync(path.join(ws.bin, 'bgbash'), ['install', ...args], { cwd: ws.project, env, encoding: 'utf8' });
}
