/** Targets on this machine: a command fed the notice as JSON on stdin, and a desktop notification. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function runCommand(command: string, input: string, timeoutMs: number, cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: fs.existsSync(cwd) ? cwd : '/', stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      resolve(`timed out after ${timeoutMs} ms`);
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? null : `exited with ${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`);
    });
    child.stdin.end(input);
  });
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

export async function desktopNotice(title: string, body: string): Promise<string | null> {
  const bin = onPath('notify-send');
  if (!bin) return 'notify-send is not installed (Debian/Ubuntu: apt install libnotify-bin); no desktop notice shown';
  return new Promise<string | null>((resolve) => {
    const child = spawn(bin, ['--app-name=bgbash', title, body], { stdio: 'ignore' });
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (code) => resolve(code === 0 ? null : `notify-send exited with code ${code}`));
  });
}
