/** Shell commands under a local pseudo-terminal (the default): programs see a terminal. */
import type { Backend } from './backend.js';
import { checkLocalCwd, forksBefore, localTree, reapMarked, shellStart } from './local-tree.js';

export const ptyBackend: Backend = {
  name: 'pty',
  terminal: true,
  writesLogs: false,
  fallback: 'pipe',
  async unavailable() {
    try {
      await (await import('../pty-runner.js')).loadPty();
      return null;
    } catch (err) {
      return `node-pty could not load (${(err as Error).message.split('\n')[0]})`;
    }
  },
  check: checkLocalCwd,
  async start(spec) {
    checkLocalCwd(spec);
    // Loaded with the first task, not at start-up.
    const { startPty } = await import('../pty-runner.js');
    const forks = forksBefore();
    const proc = await startPty(shellStart(spec));
    return localTree(proc, spec.marker, spec.server, forks, spec.id);
  },
  reapOrphans: reapMarked,
};
