/** Running an agent CLI as a child process: output kept, a deadline, and its whole process group ended afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Run {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) when it ends; rejects at the deadline, after killing it. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

export function runCli(bin: string, args: string[], opts: { env: Record<string, string>; cwd: string; timeoutMs?: number; stdin?: string }): Run {
  // Own process group, so the CLI and everything it started (MCP servers, hooks) can be ended together.
  const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  const kill = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  // Generous: eight agents' worth of work on two cores makes a CLI's start take tens of seconds.
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${bin} ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-3000)}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, done, kill };
}
