/**
 * A task's project: the git worktree root of its directory (the nearest
 * directory upward holding `.git`, a directory or, in a linked worktree or
 * submodule, a file), else the directory itself. Found by walking up with
 * lstat, not by running git: cheap, and nothing in a cloned repository's
 * config gets to run.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Directories walked up at most (a path deeper than this is its own project). */
const MAX_DEPTH = 128;

export function projectRoot(cwd: string): string {
  const start = path.resolve(cwd);
  let dir = start;
  for (let i = 0; i < MAX_DEPTH; i++) {
    try {
      const st = fs.lstatSync(path.join(dir, '.git'));
      if (st.isDirectory() || st.isFile()) return dir;
    } catch {
      /* not here */
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return start;
}
