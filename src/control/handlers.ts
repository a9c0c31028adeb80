/**
 * The control socket's verbs, one handler each, mirrored by one CLI command
 * each (src/cli/commands/). They drive the same TaskManager the MCP tools do.
 */
import { UserError } from '../core/errors.js';
import type { ForegroundRuns } from '../core/foreground.js';
import type { TaskManager } from '../core/manager.js';
import type { Notifier } from '../notify/notifier.js';
import type { ServerInfo } from '../store/servers.js';
import type { Requests, Verb } from './protocol.js';

export interface HandlerContext {
  manager: TaskManager;
  foreground: ForegroundRuns;
  notifier: Notifier;
  info: ServerInfo;
  session: string;
}

type Handlers = { [V in Verb]: (ctx: HandlerContext, args: Requests[V]['args']) => Promise<Requests[V]['result']> | Requests[V]['result'] };

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new UserError(`${name} must be a non-empty string`, name);
  return value;
}

export const handlers: Omit<Handlers, 'subscribe'> = {
  hello: (ctx) => ({ server: ctx.info, foreground: ctx.foreground.current(), session: ctx.session }),
  list: (ctx) => ({ tasks: ctx.manager.own().map((t) => ctx.manager.fresh(t.id)) }),
  status: (ctx, a) => {
    const task = ctx.manager.fresh(str(a.id, 'id'));
    return { task, waiting_for_input: ctx.manager.waitingForInput(task.id), output_file: ctx.manager.logFile(task.id), settled: ctx.manager.isSettled(task.id) };
  },
  cancel: (ctx, a) => ({ task: ctx.manager.cancel(str(a.id, 'id'), 'cancelled from the terminal (bgbash cancel)') }),
  retry: async (ctx, a) => ({ task: await ctx.manager.retry(str(a.id, 'id')) }),
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
  input: (ctx, a) => ({ task: ctx.manager.input(str(a.id, 'id'), String(a.data ?? '')) }),
  resize: (ctx, a) => {
    ctx.manager.resize(ctx.manager.get(str(a.id, 'id')).id, Number(a.cols), Number(a.rows));
    return {};
  },
  detach: (ctx, a) => ({ id: ctx.foreground.detach(a.id) }),
  drain: (ctx, a) => ({ notices: ctx.notifier.drain(a.session ?? ctx.session, a.max ?? 20) }),
};
