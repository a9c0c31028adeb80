/**
 * What a test run leaves behind if it is interrupted: every tmux socket and
 * temp dir a test makes is listed in the run's file (named after the vitest
 * process, see global-teardown.ts), and every process it starts carries the
 * run's id in its environment. Per-test cleanup removes them as it goes; the
 * global teardown, or the next run when this one was killed, removes the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RUN_ENV = 'BGBASH_TEST_RUN';
export const LIST_PREFIX = 'bgbash-testrun-';

/** This run's id (the vitest main process's pid), set by the global setup. */
export function runId(): string {
  return process.env[RUN_ENV] ?? String(process.ppid);
}

export function listFile(id = runId()): string {
  return path.join(os.tmpdir(), `${LIST_PREFIX}${id}.list`);
}

function note(kind: 'dir' | 'tmux', p: string): void {
  fs.appendFileSync(listFile(), `${kind} ${p}\n`);
}

export const trackDir = (dir: string): void => note('dir', dir);
export const trackTmux = (socket: string): void => note('tmux', socket);
