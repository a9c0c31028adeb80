/**
 * One daemon per data dir and build: a lock file in the data dir's private
 * `run/` (never in the runtime dir, which depends on the agent's
 * environment: two agents with different XDG_RUNTIME_DIR must still find one
 * daemon). It names the holder (pid and start time, so a reused pid is not
 * taken for it) and the socket it serves on, for a front-end whose own
 * environment points elsewhere.
 */
import fs from 'node:fs';
import { isAlive, ownStartTime, processTable, type TableKind } from '../run/process-table.js';

export interface LockHolder {
  pid: number;
  starttime: number | null;
  /** The process table starttime was read from (absent: 'proc'). */
  process_table?: TableKind;
  /** Where this daemon listens. */
  socket?: string;
}

function read(file: string): { raw: string; holder: LockHolder | null } | null {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(raw) as LockHolder;
    const ok = v && Number.isSafeInteger(v.pid) && v.pid > 0 && (v.starttime === null || Number.isFinite(v.starttime));
    return { raw, holder: ok ? v : null };
  } catch {
    return { raw, holder: null }; // half-written or garbage: stale
  }
}

const alive = (h: LockHolder | null): h is LockHolder => h !== null && isAlive(h.pid, h.starttime, h.process_table === 'ps' ? 'ps' : 'proc');

/** The live daemon holding the lock, with the socket it named (a string only), or null. */
export function lockHolder(file: string): LockHolder | null {
  const got = read(file);
  return got && alive(got.holder) ? got.holder : null;
}

/**
 * Takes the lock for this process, or returns who holds it (a live daemon). A stale lock is moved aside by rename,
 * which one of several daemons starting at once wins; one that finds it moved a lock taken meanwhile puts it back.
 */
export function takeLock(file: string, socket: string): LockHolder | null {
  const mine = JSON.stringify({ pid: process.pid, starttime: ownStartTime(), process_table: processTable().kind, socket });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = read(file);
    if (!seen) continue;
    if (alive(seen.holder)) return seen.holder;
    const aside = `${file}.${process.pid}.stale`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another daemon moved it first
    }
    if (read(aside)?.raw !== seen.raw) {
      try {
        fs.linkSync(aside, file); // a fresh lock, not the stale one: back where it was (unless yet another exists)
      } catch {
        /* one is there */
      }
    }
    fs.rmSync(aside, { force: true });
  }
  return { pid: 0, starttime: null };
}

/** Whether the lock is still this process's own (it removes only what is its own on exit). */
export function ownsLock(file: string): boolean {
  return read(file)?.holder?.pid === process.pid;
}
