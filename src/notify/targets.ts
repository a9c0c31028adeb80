/**
 * deliver_to: where a completion notice goes beyond the agent's session.
 *   webhook:<http(s) url>  POST {notice, task} as JSON; retried with backoff
 *   command:<shell cmd>    run with {notice, task} as JSON on stdin; time-limited
 *   desktop                notify-send, when installed
 *   session                the agent's own session (always on; accepted for clarity)
 * A failing target never blocks the others or the task; its outcome is
 * recorded on the task (`deliveries`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { Task } from '../core/task.js';
import type { Notice } from './notice.js';

export type Target = { kind: 'session' } | { kind: 'desktop' } | { kind: 'webhook'; url: string } | { kind: 'command'; command: string };

export interface Delivery {
  target: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  at: string;
}

export function parseTarget(spec: string): Target {
  if (spec === 'session') return { kind: 'session' };
  if (spec === 'desktop') return { kind: 'desktop' };
  if (spec.startsWith('webhook:')) {
    const url = spec.slice('webhook:'.length);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UserError(`deliver_to: "${spec}" is not a valid webhook URL`, 'deliver_to');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UserError(`deliver_to: webhook URLs must be http or https, got "${parsed.protocol}"`, 'deliver_to');
    return { kind: 'webhook', url };
  }
  if (spec.startsWith('command:')) {
    const command = spec.slice('command:'.length).trim();
    if (!command) throw new UserError('deliver_to: "command:" needs a command after the colon', 'deliver_to');
    return { kind: 'command', command };
  }
  throw new UserError(`deliver_to: unknown target "${spec}" (use webhook:<url>, command:<shell command>, desktop or session)`, 'deliver_to');
}

export interface TargetOptions {
  webhookAttempts: number;
  webhookTimeoutMs: number;
  commandTimeoutMs: number;
  /** First retry delay; doubled each time. */
  backoffMs: number;
}

export const DEFAULT_TARGET_OPTIONS: TargetOptions = { webhookAttempts: 3, webhookTimeoutMs: 5000, commandTimeoutMs: 10_000, backoffMs: 250 };

async function webhook(url: string, body: string, o: TargetOptions): Promise<{ attempts: number; error: string | null }> {
  let error = '';
  for (let attempt = 1; attempt <= o.webhookAttempts; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'bgbash' }, body, signal: AbortSignal.timeout(o.webhookTimeoutMs) });
      if (res.ok) return { attempts: attempt, error: null };
      error = `HTTP ${res.status} ${res.statusText}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) return { attempts: attempt, error };
    } catch (err) {
      error = (err as Error).message;
    }
    if (attempt < o.webhookAttempts) await new Promise((r) => setTimeout(r, o.backoffMs * 2 ** (attempt - 1)));
  }
  return { attempts: o.webhookAttempts, error };
}

function runCommand(command: string, input: string, timeoutMs: number, cwd: string): Promise<string | null> {
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

export async function deliver(spec: string, notice: Notice, task: Task, o: TargetOptions = DEFAULT_TARGET_OPTIONS): Promise<Delivery | null> {
  const at = () => new Date().toISOString();
  let target: Target;
  try {
    target = parseTarget(spec);
  } catch (err) {
    return { target: spec, ok: false, attempts: 0, error: (err as Error).message, at: at() };
  }
  const body = JSON.stringify({ notice, task });
  switch (target.kind) {
    case 'session':
      return null;
    case 'webhook': {
      const r = await webhook(target.url, body, o);
      return { target: spec, ok: r.error === null, attempts: r.attempts, error: r.error, at: at() };
    }
    case 'command': {
      const error = await runCommand(target.command, body, o.commandTimeoutMs, task.cwd);
      return { target: spec, ok: error === null, attempts: 1, error, at: at() };
    }
    case 'desktop': {
      const bin = onPath('notify-send');
      if (!bin) return { target: spec, ok: false, attempts: 0, error: 'notify-send is not installed (Debian/Ubuntu: apt install libnotify-bin); no desktop notice shown', at: at() };
      const [title, ...rest] = notice.text.split('\n');
      const error = await new Promise<string | null>((resolve) => {
        const child = spawn(bin, ['--app-name=bgbash', title, rest.join('\n')], { stdio: 'ignore' });
        child.on('error', (err) => resolve(err.message));
        child.on('exit', (code) => resolve(code === 0 ? null : `notify-send exited with code ${code}`));
      });
      return { target: spec, ok: error === null, attempts: 1, error, at: at() };
    }
  }
}
