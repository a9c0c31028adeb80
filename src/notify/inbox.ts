/**
 * Undelivered notices, on disk, per session: inbox/<session>/<notice id>.json.
 * Whoever delivers a notice claims it by unlinking its file — atomic, so a
 * hook process and the server draining at the same time never both deliver
 * it. Survives a server restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from '../store/data-dir.js';
import { noticeSchema, type Notice } from './notice.js';
import { checkSessionName, isSessionName } from '../shared/session-name.js';

/** A session's inbox. A name that is not a session name (say "..") is refused, never mapped to a path. */
function sessionDir(paths: DataPaths, session: string): string {
  return path.join(paths.inbox, checkSessionName(session));
}

function fileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
}

export function putNotice(paths: DataPaths, session: string, notice: Notice): void {
  const dir = sessionDir(paths, session);
  const file = path.join(dir, fileName(notice.id));
  const tmp = `${file}.${process.pid}.tmp`;
  // Twice at most: pruneInbox may take an empty directory away between the mkdir and the write.
  for (let attempt = 0; ; attempt++) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(tmp, JSON.stringify(notice) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw err;
    }
  }
}

/** Notices of a session no server serves stay this long: a named session (`--session`) may come back. */
const UNSERVED_NAMED_MS = 24 * 3600_000;
/** A session named after its server (the default) never comes back: a short grace for one ending now. */
const UNSERVED_DEFAULT_MS = 10 * 60_000;

/**
 * Removes notices nobody will take: those of sessions no live server serves, past the grace above, and their
 * emptied directories. Without it, one stray notice kept every hook after every tool call off its fast path
 * ("does anything wait?"), for good. Only real directories and files of the inbox: a planted symlink is skipped.
 */
export function pruneInbox(paths: DataPaths, served: ReadonlySet<string>, now = Date.now()): number {
  let removed = 0;
  let sessions: string[];
  try {
    sessions = fs.readdirSync(paths.inbox);
  } catch {
    return 0;
  }
  for (const session of sessions) {
    if (served.has(session) || !isSessionName(session)) continue;
    const dir = path.join(paths.inbox, session);
    const keepMs = /^[0-9a-f]{8}$/.test(session) ? UNSERVED_DEFAULT_MS : UNSERVED_NAMED_MS;
    try {
      if (!fs.lstatSync(dir).isDirectory()) continue;
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        const st = fs.lstatSync(file);
        if (st.isFile() && now - st.mtimeMs > keepMs) {
          fs.unlinkSync(file);
          removed++;
        }
      }
      fs.rmdirSync(dir);
    } catch {
      /* not empty, or changed meanwhile */
    }
  }
  return removed;
}

/** Notices still waiting in a session's inbox, oldest first, without claiming them. */
export function peekNotices(paths: DataPaths, session: string): Notice[] {
  if (!isSessionName(session)) return [];
  const dir = sessionDir(paths, session);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Notice[] = [];
  for (const name of names) {
    try {
      const parsed = noticeSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
      if (parsed.success) out.push(parsed.data);
    } catch {
      /* claimed meanwhile */
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Claims one notice; false when someone else delivered it first. */
export function claimNotice(paths: DataPaths, session: string, id: string): boolean {
  if (!isSessionName(session)) return false;
  try {
    fs.unlinkSync(path.join(sessionDir(paths, session), fileName(id)));
    return true;
  } catch {
    return false;
  }
}

/** Takes every waiting notice of a session (up to `max`), marking them delivered. */
export function drainNotices(paths: DataPaths, session: string, max = Infinity): Notice[] {
  const taken: Notice[] = [];
  for (const n of peekNotices(paths, session)) {
    if (taken.length >= max) break;
    if (claimNotice(paths, session, n.id)) taken.push(n);
  }
  return taken;
}
