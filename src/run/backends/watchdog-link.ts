/**
 * The server's end of the watchdog (see run/watchdog.ts): started with the
 * first local task, told each task's root process. Nothing to do on exit: the
 * pipe closes with this process, however it ends. The watchdog is its own
 * small module in dist/ (tsc output), not part of the CLI bundle.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import type { Writable } from 'node:stream';
import { tableEnv } from '../process-table.js';

let link: Writable | null = null;
let linkFor: string | null = null;

export function watch(server: string, pid: number, starttime: number | null): void {
  if (starttime === null) return;
  if (!link || linkFor !== server) {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'dist/run/watchdog.js'), server], {
      // Its own session: signals for the server's process group (a terminal's Ctrl+C) do not reach it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Without any task's marker: task reaping never ends it. The server's process table.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...tableEnv() },
    });
    child.on('error', () => (link = null));
    child.unref();
    const stdin = child.stdin!;
    // The pipe must not keep the server alive, nor a write error bring it down.
    (stdin as unknown as { unref?: () => void }).unref?.();
    stdin.on('error', () => (link = null));
    link = stdin;
    linkFor = server;
  }
  link.write(`${pid} ${starttime}\n`);
}
