/**
 * Vitest global setup/teardown: whatever the tests of this run started — tmux
 * servers, bgbash servers, their tasks, temp dirs — is gone when the run ends,
 * also when it was interrupted (Ctrl+C) or a worker was killed. A run killed
 * so hard that its teardown never ran is swept by the next run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIST_PREFIX, listFile, RUN_ENV } from './leftovers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of processes whose environment carries this run's id (children of tests, tmux servers, tasks). */
function taggedProcesses(id: string): number[] {
  const tag = Buffer.from(`${RUN_ENV}=${id}\0`);
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`).includes(tag)) found.push(pid);
    } catch {
      /* gone, or not ours */
    }
  }
  return found;
}

export function sweep(id: string): void {
  const file = listFile(id);
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) {
    const [kind, p] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (kind === 'tmux' && fs.existsSync(p)) {
      try {
        execFileSync('tmux', ['-S', p, 'kill-server'], { stdio: 'ignore', timeout: 5000 });
      } catch {
        /* already gone */
      }
    }
  }
  if (process.platform === 'linux') {
    for (const pid of taggedProcesses(id)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (const line of lines) {
    const p = line.slice(line.indexOf(' ') + 1);
    const dir = line.startsWith('tmux ') ? path.dirname(p) : p;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* still mounted, or busy */
    }
  }
  fs.rmSync(file, { force: true });
}

export default function setup(): () => void {
  // Runs that died before their teardown: their vitest process is gone.
  for (const name of fs.readdirSync(os.tmpdir())) {
    const m = new RegExp(`^${LIST_PREFIX}(\\d+)\\.list$`).exec(name);
    if (m && !alive(Number(m[1]))) sweep(m[1]);
  }
  const id = String(process.pid);
  process.env[RUN_ENV] = id;
  const teardown = (): void => sweep(id);
  // Ctrl+C: vitest may exit without calling the teardown.
  process.once('exit', teardown);
  return teardown;
}
