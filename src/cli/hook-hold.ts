/**
 * `claude -p` exits as soon as the model ends its turn, and its bgbash server
 * goes with it, cancelling every task still running. A user who asked
 * `claude -p "run the tests in the background and report"` expects the
 * report, not a silently cancelled run. So in print mode the Stop hook blocks
 * the stop while the session's tasks run, naming them and how to wait, for
 * at most `notices.holdPrintStop` (10m; 0 = never) from the first such block
 * in that Claude session. Past the limit the session ends as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Task } from '../shared/task.js';
import { formatDuration } from '../shared/units.js';
import { taskLine } from '../mcp/text.js';
import type { Cli } from './context.js';
import { closeAll, connectOwn, liveTasks } from './hook-servers.js';

function stateFile(cli: Cli, claudeSession: string): string {
  return path.join(cli.paths.run, `hold-${claudeSession.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}.json`);
}

/** When this Claude session was first held, recorded now if it was not. */
function heldSince(file: string, now: number): number {
  try {
    const since = Number((JSON.parse(fs.readFileSync(file, 'utf8')) as { since?: unknown }).since);
    if (Number.isFinite(since) && since <= now) return since;
  } catch {
    /* first hold */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify({ since: now }) + '\n', { mode: 0o600 });
  return now;
}

export function holdText(tasks: Task[], limitMs: number): string {
  const first = tasks[0]!.id;
  return [
    `bgbash: ${tasks.length === 1 ? 'this background task is' : 'these background tasks are'} still running, and this \`claude -p\` session cancels ${tasks.length === 1 ? 'it' : 'them'} when it exits:`,
    ...tasks.map((t) => `  ${taskLine(t)}`),
    `Before you finish, wait for ${tasks.length === 1 ? 'it' : 'them'} with task_status {task_id: "${first}", wait: 60} (repeat until it has ended), or stop the ones you no longer need with task_cancel.`,
    `(bgbash keeps a print-mode session open like this for at most ${formatDuration(limitMs)}: notices.holdPrintStop.)`,
  ].join('\n');
}

/** The block reason while the session's tasks run and the limit allows; null to let it stop. */
export async function holdReason(cli: Cli, claudeSession: string): Promise<string | null> {
  const limit = cli.config.notices.holdPrintStop;
  if (limit <= 0) return null;
  const servers = await connectOwn(cli.paths, process.ppid);
  const tasks = await liveTasks(servers);
  closeAll(servers);
  const file = stateFile(cli, claudeSession || 'unknown');
  if (tasks.length === 0) {
    fs.rmSync(file, { force: true });
    return null;
  }
  const now = Date.now();
  if (now - heldSince(file, now) > limit) return null;
  return holdText(tasks, limit);
}
