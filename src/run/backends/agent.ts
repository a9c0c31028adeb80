/** Prompt tasks run by an agent CLI (claude, codex, …): argv over pipes, the prompt as one argument. */
import { taskEnv, type Backend } from './backend.js';
import { checkLocalCwd, forksBefore, localTree, reapMarked } from './local-tree.js';

export const agentBackend: Backend = {
  name: 'agent',
  terminal: false,
  writesLogs: true,
  check: checkLocalCwd,
  async start(spec) {
    checkLocalCwd(spec);
    // Loaded with the first task, not at start-up.
    const [{ startPipe }, { buildArgv, resolveRunner }] = await Promise.all([import('../pipe-runner.js'), import('../runners.js')]);
    const runner = resolveRunner(spec.config, spec.runner!);
    const [file, ...args] = buildArgv(runner, spec.prompt!, spec.cwd);
    const { cols, rows } = spec.config.terminal;
    const forks = forksBefore();
    const proc = await startPipe({ file, args, cwd: spec.cwd, env: taskEnv(spec, process.env, runner.env), cols, rows }, spec.logs);
    return localTree(proc, spec.marker, spec.server, forks);
  },
  reapOrphans: reapMarked,
};
