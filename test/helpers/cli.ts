/** Running the built `bgbash` CLI as a person would, against a test's data dir. */
import { execFile } from 'node:child_process';
import { baseEnv, CLI } from './server.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function bgbash(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: baseEnv({ BGBASH_DATA_DIR: dataDir, NO_COLOR: '1', ...env }), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
