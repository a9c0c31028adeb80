/**
 * Notices nobody will take leave the inbox (hooks look there after every tool
 * call, and one stray notice kept them off their fast path for good); a
 * served session's stay, a named session's stay a day, and nothing outside
 * the inbox is touched. Real files in a temp data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneInbox, putNotice } from '../../src/notify/inbox.js';
import { ensureDataDir } from '../../src/store/data-dir.js';
import { tempDir } from '../helpers/server.js';

const notice = (id: string) =>
  ({ id, task_id: '1', session: 'x', kind: 'ended', text: `notice ${id}`, created_at: new Date().toISOString() }) as never;

function age(file: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
}

/** The notice files waiting in a session's inbox. */
const waiting = (paths: { inbox: string }, s: string): string[] => (fs.existsSync(path.join(paths.inbox, s)) ? fs.readdirSync(path.join(paths.inbox, s)) : []);

describe('pruneInbox', () => {
  it('takes the notices of unserved sessions past their grace, and their emptied directories; leaves the rest', () => {
    const paths = ensureDataDir(tempDir());
    for (const s of ['a1b2c3d4', 'e5f6a7b8', 'named-one', 'served-one']) putNotice(paths, s, notice(`n-${s}`));
    const file = (s: string) => path.join(paths.inbox, s, `n-${s}.json`);
    age(file('a1b2c3d4'), 11 * 60_000); // a server's own session, ended 11 minutes ago: gone
    age(file('e5f6a7b8'), 60_000); // ended a minute ago: kept a while
    age(file('named-one'), 2 * 3600_000); // a named session may come back: kept a day
    age(file('served-one'), 48 * 3600_000); // served now: kept whatever its age
    // Planted: a symlink in the inbox pointing at a directory outside it, with an old file there.
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'precious.json'), '{}');
    age(path.join(outside, 'precious.json'), 48 * 3600_000);
    fs.symlinkSync(outside, path.join(paths.inbox, 'f0f0f0f0'));

    expect(pruneInbox(paths, new Set(['served-one']))).toBe(1);
    expect(fs.existsSync(path.join(paths.inbox, 'a1b2c3d4'))).toBe(false);
    expect(waiting(paths, 'e5f6a7b8')).toHaveLength(1);
    expect(waiting(paths, 'named-one')).toHaveLength(1);
    expect(waiting(paths, 'served-one')).toHaveLength(1);
    expect(fs.existsSync(path.join(outside, 'precious.json'))).toBe(true);

    age(file('named-one'), 25 * 3600_000);
    expect(pruneInbox(paths, new Set())).toBe(2);
    expect(fs.readdirSync(paths.inbox).sort()).toEqual(['e5f6a7b8', 'f0f0f0f0']);
    // A notice for a pruned session is still put (its directory comes again).
    putNotice(paths, 'a1b2c3d4', notice('again'));
    expect(waiting(paths, 'a1b2c3d4')).toEqual(['again.json']);
  });
});
