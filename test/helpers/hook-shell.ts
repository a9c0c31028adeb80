/** Running a hook or status-line command line the way an agent does. */
import { spawn } from 'node:child_process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sh -c COMMAND` with the hook's JSON on stdin, in `env` exactly (and `cwd` when given). */
export function runAsAgent(command: string, input: string, env: Record<string, string>, cwd?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}
