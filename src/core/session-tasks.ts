/**
 * Tasks seen from an agent session: which project a task belongs to, the live
 * task a `reuse` call finds again instead of starting a second copy, the
 * sessions that reused a task (they get its end notice too), and what a
 * session's task list shows.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Backend } from '../run/backends/backend.js';
import { backendFor, backendNamed } from '../run/backends/registry.js';
import { projectRoot } from './project.js';
import type { ShellSpec } from './specs.js';
import { isTerminal, type Task } from '../shared/task.js';

/** A local task's project is its git worktree root; a remote one's is its backend and directory there. */
export function projectOf(backend: Pick<Backend, 'name' | 'resolveCwd'>, cwd: string): string {
  return backend.resolveCwd ? `${backend.name}:${cwd}` : projectRoot(cwd);
}

/** Records from before projects were kept: their directory. */
export function taskProject(task: Task): string {
  return task.project ?? task.cwd;
}

/** The live task named `name` in `project`, newest first; null when none. */
export function findReusable(tasks: Iterable<Task>, name: string, project: string): Task | null {
  let found: Task | null = null;
  for (const t of tasks) {
    if (t.name !== name || isTerminal(t) || taskProject(t) !== project) continue;
    if (!found || Number(t.id) > Number(found.id)) found = t;
  }
  return found;
}

/** The live task among `tasks` named `name` in the project a `spec` would run in, or null. */
export function reusableFor(config: Config, tasks: Iterable<Task>, name: string, spec: ShellSpec): Task | null {
  const b = backendNamed(backendFor(config, spec) ?? 'pty', config);
  return findReusable(tasks, name, projectOf(b, b.resolveCwd ? b.resolveCwd(spec.cwd) : path.resolve(spec.cwd ?? process.cwd())));
}

/**
 * What a session's task list shows: its own tasks and the live persistent
 * tasks of its project; tasks of other servers and earlier runs (records on
 * disk, not this server's) stay listed as they always were.
 */
export function sessionTasks(tasks: Task[], session: string, project: string, isOwn: (id: string) => boolean): Task[] {
  return tasks.filter((t) => !isOwn(t.id) || t.session === session || (t.persistent && !isTerminal(t) && taskProject(t) === project));
}

/** Sessions other than the task's own that reused it: they are told when it ends. */
export class Watchers {
  private readonly byTask = new Map<string, Set<string>>();

  add(id: string, session: string): void {
    const set = this.byTask.get(id) ?? new Set<string>();
    set.add(session);
    this.byTask.set(id, set);
  }

  of(id: string): string[] {
    return [...(this.byTask.get(id) ?? [])];
  }

  forgetTask(id: string): void {
    this.byTask.delete(id);
  }

  forgetSession(session: string): void {
    for (const [id, set] of this.byTask) if (set.delete(session) && set.size === 0) this.byTask.delete(id);
  }
}
