/** Prompt tasks run by an agent CLI (claude, codex, …): argv over pipes, the prompt as one argument. */
import { taskEnv, type Backend } from './backend.js';
import { checkLocalCwd, forksBefore, localTree, reapMarked } from './local-tree.js';
import { createTaskCgroup, inCgroup } from '../task-cgroup.js';

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
    const [argv0, ...argv] = buildArgv(runner, spec.prompt!, spec.cwd);
    // In the task's own cgroup, like a shell command (run/task-cgroup.ts): what the agent CLI starts ends with it.
    const procs = createTaskCgroup(spec.server, spec.id);
    const { file, args } = procs ? inCgroup(procs, argv0, argv) : { file: argv0, args: argv };
    const { cols, rows } = spec.config.terminal;
    const forks = forksBefore();
    const proc = await startPipe({ file, args, cwd: spec.cwd, env: taskEnv(spec, process.env, runner.env), cols, rows }, spec.logs);
    return localTree(proc, spec.marker, spec.server, forks, spec.id);
  },
  reapOrphans: reapMarked,
};
