/**
 * What a pending task waits for, in words an agent can act on: its place in
 * the machine's queue and who holds the slots ("2 ahead of it; running: 2 for
 * claude-code in ~/app-a, 1 for codex in ~/app-b"). The budget is shared by
 * every agent session of the machine, so "why is mine not running" is often
 * "someone else's tests are".
 */
import os from 'node:os';
import type { SessionBook } from './sessions.js';
import { oneLine } from '../shared/printable.js';
import type { Task } from '../shared/task.js';

/** Another agent's client name and directory go to this agent as text: printable, and short. */
const MAX_AGENT = 40;
const MAX_DIR = 80;

const tildify = (dir: string): string => {
  const home = os.homedir();
  return dir === home ? '~' : dir.startsWith(home + '/') ? '~' + dir.slice(home.length) : dir;
};

/** `at`: the task's index in the start order (-1: not queued). `live`: the tasks holding slots. */
export function queueNote(at: number, live: Task[], sessions: SessionBook, max: number): string | null {
  if (at < 0) return null;
  const holders = new Map<string, number>();
  for (const t of live) {
    const place = sessions.get(t.session);
    const who = `${oneLine(place?.agent ?? t.origin ?? 'a session', MAX_AGENT)} in ${oneLine(tildify(place?.cwd ?? t.cwd), MAX_DIR)}`;
    holders.set(who, (holders.get(who) ?? 0) + 1);
  }
  const running = [...holders].map(([who, n]) => `${n} for ${who}`).join(', ') || 'none';
  return `${at === 0 ? 'next in line' : `${at} ahead of it`}; running: ${running} (background.maxConcurrentTasks ${max}, shared by every agent session of this machine)`;
}
