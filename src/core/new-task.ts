/**
 * A new task's pending record: where it runs (the backend places the cwd,
 * relative to its session's directory), where its notice goes (the default
 * targets of its session's settings, plus its own), its timeout (none for a
 * persistent one unless given) and its id. Pure apart from the id it claims.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Backend } from '../run/backends/backend.js';
import { now } from './lifecycle.js';
import { projectOf } from './session-tasks.js';
import type { PromptSpec } from './specs.js';
import type { PendingTask, Task } from '../shared/task.js';

export type NewTaskWhat = Pick<Task, 'kind' | 'command' | 'prompt' | 'pty' | 'notify_on' | 'env' | 'env_unset' | 'shell_state' | 'persistent'> & { runner?: string; backend: string };
export type NewTaskSpec = Omit<PromptSpec, 'prompt' | 'runner'>;

export interface NewTaskPlace {
  backend: Backend;
  /** The settings of the session that asks (its project config), else the server's. */
  settings: Config;
  /** Where a relative cwd starts: the session's directory. */
  startCwd: string;
  serverId: string;
  seal(target: string): string;
  allocate(): string;
}

export function pendingTask(what: NewTaskWhat, spec: NewTaskSpec, at: NewTaskPlace): PendingTask {
  const { backend, settings } = at;
  const cwd = backend.resolveCwd ? backend.resolveCwd(spec.cwd) : path.resolve(at.startCwd, spec.cwd ?? '.');
  backend.check?.({ cwd });
  // background.defaultDeliverTo is where every task's notice goes; a task's own deliver_to adds targets, never replaces them.
  const deliverTo = [...new Set([...settings.background.defaultDeliverTo, ...(spec.deliver_to ?? [])].map((t) => at.seal(t)))];
  return {
    id: at.allocate(),
    state: 'pending',
    ...what,
    cwd,
    project: projectOf(backend, cwd),
    name: spec.name ?? null,
    origin: spec.origin ?? null,
    session: spec.session ?? null,
    deliver_to: deliverTo,
    // A persistent task runs until it ends or is ended (0: no timeout); an explicit timeout still applies.
    timeout_ms: spec.timeout_ms ?? (what.persistent ? 0 : settings.background.taskTimeout),
    server: at.serverId,
    retry_of: spec.retry_of ?? null,
    created_at: now(),
    output_bytes: 0,
    output_dropped: 0,
    tokens: 0,
    result: null,
  };
}
