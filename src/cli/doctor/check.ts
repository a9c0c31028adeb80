/** One line of `bgbash doctor`: what was checked, how it went, and what to do about it. */
import { execFile } from 'node:child_process';

/** ok ✓, warn ! (works, but worth a look), fail ✗ (doctor exits 1). */
export type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: Status;
  message: string;
  fix?: string;
}

export const MARK: Record<Status, string> = { ok: '✓', warn: '!', fail: '✗' };

export const check = (name: string, status: Status, message: string, fix?: string): Check => ({ name, status, message, ...(fix ? { fix } : {}) });

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

/** Runs a program (no shell) and collects what it said; never throws. */
export function runQuietly(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (!e) return resolve({ code: 0, stdout, stderr });
      const error = e.killed ? `no answer within ${opts.timeoutMs / 1000} s` : typeof e.code === 'string' ? e.message : undefined;
      resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr, error });
    });
  });
}

/** The first line worth showing from a failed run. */
export function firstProblem(r: Ran): string {
  if (r.error) return r.error;
  const line = r.stderr.split('\n').find((l) => l.trim() && !/^npm warn/i.test(l)) ?? r.stdout.split('\n').find((l) => l.trim());
  return line ? line.trim().slice(0, 160) : `exit code ${r.code}`;
}
