/** Which shell runs a command: bash when there is one, else sh. */
import fs from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* next */
    }
  }
  return null;
}

export function shellFor(env: NodeJS.ProcessEnv = process.env): string {
  if (cached) return cached;
  cached = findOnPath('bash', env.PATH) ?? findOnPath('sh', env.PATH) ?? '/bin/sh';
  return cached;
}

export function shellArgs(command: string): string[] {
  return ['-c', command];
}
