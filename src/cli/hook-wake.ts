/**
 * `bgbash hook claude-code --wake`: Claude Code's `asyncRewake` Stop hook.
 * Claude Code runs it in the background when the model ends its turn; it
 * waits for the next completion notice of this session's bgbash servers and
 * exits 2 with the notice on stderr, which Claude Code hands the model as a
 * new turn (`<task-notification>` + "Stop hook blocking error … <notice>"):
 * an idle session wakes up. Measured with Claude Code 2.1.197.
 *
 * It never holds anything: in `claude -p` (which runs asyncRewake hooks
 * synchronously) it exits at once, and it ends when its servers have nothing
 * left running, when its servers exit, or when the next Stop starts a newer
 * waiter for the same Claude session. It claims notices from the same inbox
 * as every other path, so a notice shown one way is never shown again; a
 * task the MCP tasks extension is delivering has no notice in the inbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import { drainNotices, putNotice } from '../notify/inbox.js';
import type { Notice } from '../notify/notice.js';
import { isAlive, processTable } from '../run/process-table.js';
import { claudeMode } from './claude-mode.js';
import type { Cli } from './context.js';
import { closeAll, connectOwn, liveTasks, type HookServer } from './hook-servers.js';
import { noticeBlock } from './notice-block.js';

/** After the last task ended, how long its notice may take to be published before the waiter gives up. */
const SETTLE_GRACE_MS = 3000;

function pidFile(cli: Cli, claudeSession: string): string {
  return path.join(cli.paths.run, `wake-${claudeSession.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}.pid`);
}

/** One waiter per Claude session: the newest replaces an older one still waiting. */
function supersede(file: string): void {
  try {
    const old = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(old) && old > 1 && old !== process.pid && isAlive(old)) {
      const cmdline = processTable().commandLine(old);
      if (cmdline.includes('--wake')) process.kill(old, 'SIGTERM');
    }
  } catch {
    /* no older waiter */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
}

function sessionsOf(servers: HookServer[], env: NodeJS.ProcessEnv): string[] {
  if (env.BGBASH_SESSION) return [env.BGBASH_SESSION];
  return [...new Set(servers.map((s) => s.info.session ?? s.info.id))];
}

export async function wake(cli: Cli, claudeSession: string): Promise<number> {
  if (!cli.config.notices.wakeIdle || claudeMode() !== 'session') return 0;
  const servers = await connectOwn(cli.paths, process.ppid);
  if (servers.length === 0) return 0;
  const file = pidFile(cli, claudeSession || 'unknown');
  supersede(file);
  const sessions = sessionsOf(servers, process.env);
  const code = await new Promise<number>((resolve) => {
    let done = false;
    let busy: Promise<void> = Promise.resolve();
    let grace: NodeJS.Timeout | null = null;
    const finish = (c: number): void => {
      if (done) return;
      done = true;
      if (grace) clearTimeout(grace);
      resolve(c);
    };
    const check = (): void => {
      busy = busy.then(async () => {
        if (done) return;
        const claimed = sessions.flatMap((s) => drainNotices(cli.paths, s)).sort((a, b) => a.created_at.localeCompare(b.created_at));
        if (claimed.length > 0) {
          const { text, used } = noticeBlock(claimed);
          putBack(cli, claimed, used);
          process.stderr.write(text + '\n');
          finish(2);
          return;
        }
        if ((await liveTasks(servers)).length > 0) {
          if (grace) clearTimeout(grace);
          grace = null;
        } else grace ??= setTimeout(() => finish(0), SETTLE_GRACE_MS);
      });
    };
    let open = servers.length;
    for (const s of servers) {
      s.client.onEvent((e) => {
        if (e.event === 'notice' || e.event === 'task' || e.event === 'settled') check();
      });
      s.client.onClose(() => {
        if (--open === 0) finish(0);
      });
    }
    process.once('SIGTERM', () => finish(0));
    void Promise.all(servers.map((s) => s.client.request('subscribe', {}).catch(() => undefined))).then(check);
  });
  closeAll(servers);
  try {
    if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
  } catch {
    /* replaced */
  }
  return code;
}

/** Notices that did not fit go back to the inbox for the next path. */
export function putBack(cli: Cli, claimed: Notice[], used: Notice[]): void {
  for (const n of claimed) if (!used.includes(n) && n.session) putNotice(cli.paths, n.session, n);
}
