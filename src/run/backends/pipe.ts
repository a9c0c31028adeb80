/** Shell commands over pipes (`pty: false`): stdout and stderr apart, at full speed. */
import type { Backend } from './backend.js';
import { checkLocalCwd, forksBefore, localTree, reapMarked, shellStart } from './local-tree.js';

export const pipeBackend: Backend = {
  name: 'pipe',
  terminal: false,
  writesLogs: true,
  check: checkLocalCwd,
  async start(spec) {
    checkLocalCwd(spec);
    // Loaded with the first task, not at start-up.
    const { startPipe } = await import('../pipe-runner.js');
    const forks = forksBefore();
    const proc = await startPipe(shellStart(spec), spec.logs);
    return localTree(proc, spec.marker, spec.server, forks, spec.id);
  },
  reapOrphans: reapMarked,
};
