/**
 * The control socket's verbs, one handler each, mirrored by one CLI command
 * each (src/cli/commands/). They drive the same TaskManager the MCP tools do.
 */
import { UserError } from '../shared/errors.js';
import { checkSessionName } from '../shared/session-name.js';
import type { ForegroundRuns } from '../core/foreground.js';
import type { TaskManager } from '../core/manager.js';
import type { Notifier } from '../notify/notifier.js';
import type { ServerInfo } from '../store/servers.js';
import { READ_MAX, type Requests, type Verb } from './protocol.js';

export interface HandlerContext {
  manager: TaskManager;
  foreground: ForegroundRuns;
  notifier: Notifier;
  info: ServerInfo;
  session: string;
  /** notices.wakeIdle: agent plugins may start a turn for a notice when the agent is idle. */
  wakeIdle: boolean;
  /**
   * 'session': this socket is one agent session's, inside the daemon (what a
   * hook of that agent reaches): `list` and `detach` see that session's tasks
   * only. Absent: the whole server's.
   */
  scope?: 'session';
}

const mine = (ctx: HandlerContext) => (ctx.scope === 'session' ? ctx.session : undefined);

type Handlers = { [V in Verb]: (ctx: HandlerContext, args: Requests[V]['args']) => Promise<Requests[V]['result']> | Requests[V]['result'] };

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new UserError(`${name} must be a non-empty string`, name);
  return value;
}

function offset(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new UserError(`${name} must be a byte offset (a whole number, 0 or more)`, name);
  return value;
}

/** A task id as the CLI sends it; a number means the same. parseTaskRef (via the manager) checks what it holds. */
function taskRef(value: unknown): string | number {
  return typeof value === 'number' ? value : str(value, 'id');
}

export const handlers: Omit<Handlers, 'subscribe'> = {
  hello: (ctx) => ({ server: ctx.info, foreground: ctx.foreground.current(mine(ctx)), session: ctx.session, wake_idle: ctx.wakeIdle }),
  list: (ctx) => ({ tasks: ctx.manager.own().filter((t) => ctx.scope !== 'session' || t.session === ctx.session).map((t) => ctx.manager.fresh(t.id)) }),
  status: (ctx, a) => {
    const task = ctx.manager.fresh(taskRef(a.id));
    return { task, waiting_for_input: ctx.manager.waitingForInput(task.id), output_file: ctx.manager.logFile(task.id), settled: ctx.manager.isSettled(task.id) };
  },
  cancel: (ctx, a) =>
    a.by === 'tasks page'
      ? { task: ctx.manager.cancel(taskRef(a.id), 'cancelled from the Tasks page (bgbash tasks)', 'tasks page') }
      : { task: ctx.manager.cancel(taskRef(a.id), 'cancelled from the terminal (bgbash cancel)', 'cli') },
  retry: async (ctx, a) => ({ task: await ctx.manager.retry(taskRef(a.id), 'cli') }),
  run: async (ctx, a) => ({
    task: await ctx.manager.submit({
      command: str(a.command, 'command'),
      name: a.name ?? null,
      cwd: a.cwd,
      env: a.env,
      timeout_ms: a.timeout_ms,
      pty: a.pty,
      origin: 'cli',
      session: ctx.session,
    }),
  }),
  input: (ctx, a) => ({ task: ctx.manager.input(taskRef(a.id), String(a.data ?? '')) }),
  resize: (ctx, a) => {
    ctx.manager.resize(ctx.manager.get(taskRef(a.id)).id, Number(a.cols), Number(a.rows));
    return {};
  },
  detach: (ctx, a) => ({ id: ctx.foreground.detach(a.id, a.by === 'attach' ? 'attach' : 'cli', mine(ctx)) }),
  read: async (ctx, a) => {
    const id = ctx.manager.get(taskRef(a.id)).id;
    const start = offset(a.start, 'start');
    const end = Math.min(offset(a.end, 'end'), start + READ_MAX);
    return { data: (await ctx.manager.readOutput(id, start, end)).toString('base64') };
  },
  drain: (ctx, a) => ({ notices: ctx.notifier.drain(a.session === undefined ? ctx.session : checkSessionName(str(a.session, 'session')), a.max ?? 20) }),
};
