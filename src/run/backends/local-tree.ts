/**
 * What every backend whose processes run on this machine shares: the tree of
 * a task is found in the process table (root pid, group, session and the
 * marker variable; /proc or ps), ended with SIGTERM → grace → SIGKILL, and
 * inspected for a read() on stdin where the table can tell.
 */
import fs from 'node:fs';
import { UserError } from '../../shared/errors.js';
import { killTree } from '../kill-tree.js';
import { markedProcesses, processTable, taskProcesses, type PidFloor } from '../process-table.js';
import type { RunningProcess, StartOptions } from '../process.js';
import { captureEnv, canCapture, preludeDirFor, stateFileFor } from '../state-capture.js';
import { shellArgs, shellFor } from '../shell.js';
import { taskEnv, type LaunchSpec, type TaskProcess } from './backend.js';
import { watch } from './watchdog-link.js';
import { createTaskCgroup, endServerCgroups, endTaskCgroup, joinPrefix, taskCgroupPids } from '../task-cgroup.js';

/** How a local shell command starts: the shell, its environment (with the shell-state capture when asked). */
export function shellStart(spec: LaunchSpec): StartOptions {
  const file = shellFor();
  const env = taskEnv(spec, process.env);
  // A foreground bash call's end becomes its session's shell state (core/shell-state.ts).
  if (spec.shellState && canCapture(file, env)) Object.assign(env, captureEnv(preludeDirFor(spec.config.dataDir), stateFileFor(spec.config.dataDir, spec.id), env));
  // The task's own cgroup, joined by its shell before the command runs: what it starts cannot leave (run/task-cgroup.ts).
  const procs = createTaskCgroup(spec.server, spec.id);
  const command = procs ? joinPrefix(procs) + spec.command! : spec.command!;
  return { file, args: shellArgs(command), cwd: spec.cwd, env, cols: spec.config.terminal.cols, rows: spec.config.terminal.rows };
}

/** The kernel's fork count before a spawn: with the first pid, where in the pid space the task's processes are. */
export function forksBefore(): number | null {
  return processTable().forkCount();
}

export function localTree(proc: RunningProcess, marker: string, server: string, forks: number | null = null, task: string | null = null): TaskProcess {
  // Start time of its first process: nothing older belongs to the task, which narrows scans.
  const table = processTable();
  const seesInput = table.blockedOnInput([]) !== null;
  const since = proc.pid !== null ? (table.stat(proc.pid)?.starttime ?? null) : null;
  const floor: PidFloor | null = proc.pid !== null && forks !== null ? { pid: proc.pid, forks } : null;
  // Should this server die without ending the task (kill -9), the watchdog does.
  if (proc.pid !== null) watch(server, proc.pid, since);
  let ending: Promise<void> | null = null;
  const ports = table.portLooker();
  return Object.assign(proc, {
    // null where the table cannot tell (ps): "unknown", never a guess, and no tree read for it.
    waitingForInput: () => (seesInput ? table.blockedOnInput(taskProcesses(proc.pid, marker, since, floor, table)) : null),
    // Its cgroup's members (one file, and what escaped the tree is in it), else the tree by parent, group
    // and session (no marker scan: this runs every few seconds per running task).
    listeningPorts: () => {
      const members = task !== null ? taskCgroupPids(server, task) : [];
      return ports(members.length ? members : taskProcesses(proc.pid, null, since, floor, table).map((p) => p.pid));
    },
    // killTree finds members again on every round, so one run also catches what forks meanwhile.
    // The cgroup in the same round: what escaped the tree, its session and the marker is still in it.
    terminate: (graceMs: number) =>
      (ending ??= Promise.all([killTree(proc.pid, { graceMs, marker, since, floor }), task !== null ? endTaskCgroup(server, task, graceMs) : undefined]).then(() => undefined)),
  });
}

/** Ends what a dead server's local tasks left running: every process carrying its marker. */
export async function reapMarked(serverId: string, since: number | null, graceMs: number): Promise<number> {
  const orphans = markedProcesses(`${serverId}:`, since);
  const [, cgroups] = await Promise.all([Promise.all(orphans.map((p) => killTree(p.pid, { graceMs, marker: null }))), endServerCgroups(serverId, graceMs)]);
  return orphans.length + cgroups;
}

/** A local task's working directory must exist and be a directory. */
export function checkLocalCwd(spec: { cwd: string }): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(spec.cwd);
  } catch {
    throw new UserError(`cwd "${spec.cwd}" does not exist`, 'cwd');
  }
  if (!st.isDirectory()) throw new UserError(`cwd "${spec.cwd}" is not a directory`, 'cwd');
}
