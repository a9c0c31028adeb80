/**
 * The 2026-07-28 tasks extension (`io.modelcontextprotocol/tasks`, repo
 * modelcontextprotocol/ext-tasks): a `bash` or `bg_submit` call whose work
 * runs on is answered with a task handle (`resultType: "task"`), and the
 * client polls `tasks/get` until the task ends. One bgbash task = one MCP task.
 *
 * Claude Code (≥ 2.1.330) wakes an idle session this way: it polls `tasks/get`
 * every `pollIntervalMs` (it ignores notifications/tasks), so that interval is
 * the wake latency; it sends `tasks/cancel` twice from its TaskStop. When the
 * task ends, the completed result is a normal tool result whose content is the
 * end notice, so the model reads the same words as on every other path, once:
 * the notice is held out of the shared inbox from the task's end until the
 * client reads the completion with tasks/get (however late it polls: a
 * timed release would let a wake hook or a piggy-back tell it first, and the
 * poll tell it again), and goes back to the other paths only when this
 * connection ends unread.
 *
 * Status mapping: pending/running → working; ended → completed with the notice
 * (isError unless it exited 0); cancelled through tasks/cancel → cancelled.
 * "failed" is kept for JSON-RPC errors, as the extension asks.
 */
import { ProtocolError, ProtocolErrorCode, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { isTerminal, type EndedTask, type Task } from '../shared/task.js';
import { lastUpdatedAt } from '../shared/task-fields.js';
import type { Notice } from '../notify/notice.js';
import type { Notifier } from '../notify/notifier.js';
import { claimNotice } from '../notify/inbox.js';
import type { ToolContext } from './context.js';
import { modelNotice } from './notices.js';
import { TASKS_EXTENSION, type Peer } from './peer.js';
import { InputPrompts } from './task-input-requests.js';
import type { Handle, TaskHandles } from './task-handles.js';
import type { TaskListenTap } from './task-listen.js';
import { taskLine } from './text.js';

/** Claude Code polls at this pace; it clamps to 250 ms–30 s. Half a second keeps the wake under a second. */
export const POLL_INTERVAL_MS = 500;
export interface TaskHandleResult {
  [key: string]: unknown;
  resultType: 'task';
  taskId: string;
  status: 'working';
  statusMessage: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: null;
  pollIntervalMs: number;
}

export interface TasksExtension {
  /** The answer to a tools/call whose task runs on: a handle the client polls. */
  handleFor(task: Task, statusMessage?: string): TaskHandleResult;
  close(): void;
}

export interface TasksExtensionDeps {
  ctx: ToolContext;
  notifier: Notifier;
  peer: Peer;
  handles: TaskHandles;
  /** Where notifications/tasks go (stdio); none over HTTP. */
  listen?: TaskListenTap;
}

const taskIdParams = z.looseObject({ taskId: z.string().max(200) });

function missingCapability(): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.MissingRequiredClientCapability,
    `Missing required client capability: declare the ${TASKS_EXTENSION} extension in this request's _meta clientCapabilities`,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
  );
}

function notFound(taskId: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${JSON.stringify(taskId.slice(0, 80))} is not a task of this bgbash data dir)`);
}

export function enableTasksExtension(server: McpServer, deps: TasksExtensionDeps): TasksExtension {
  const { ctx, notifier, peer, handles } = deps;
  const paths = ctx.manager.paths;
  /** bgbash tasks this connection was handed a handle for: their client polls, so it gets the notice. */
  const polled = new Set<string>();
  /** End notices held for this connection's poller: owned by this path until tasks/get reads the end, or the connection closes. */
  const owed = new Map<string, Notice>();
  const prompts = new InputPrompts(ctx.manager);

  const undoHolder = notifier.addHolder((notice) => {
    if (!polled.has(notice.task_id) || notice.session !== ctx.session()) return false;
    owed.set(notice.task_id, notice);
    return true;
  });

  const require = async (rctx: ServerContext): Promise<void> => {
    peer.note(rctx);
    if (!peer.acceptsTasks(rctx)) throw missingCapability();
    // A handle from before a restart: its task's record is final once start-up closed dead servers' tasks.
    await ctx.ready;
  };
  const lookup = (taskId: string): { handle: Handle; task: Task } => {
    const handle = handles.find(taskId);
    if (!handle) throw notFound(taskId);
    try {
      return { handle, task: ctx.manager.fresh(handle.task_id) };
    } catch {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task has expired (the record of bgbash task ${handle.task_id} was removed)`);
    }
  };

  /** The notice for the completed result; null when another path already delivered it. */
  const noticeForResult = async (handle: Handle, task: EndedTask): Promise<Notice | null> => {
    const held = owed.get(task.id);
    if (held) {
      owed.delete(task.id);
      return held;
    }
    // Published by this process and gone from the inbox: a hook or a tool result carried it.
    const inInbox = task.session !== null && claimNotice(paths, task.session, task.id);
    if (handle.delivered || inInbox || !notifier.publishedEnd(task.id)) return notifier.endNoticeOf(task);
    return null;
  };

  /** The completed result. `commit`: this answer delivers the notice (tasks/get); a notification only shows it. */
  const completed = async (handle: Handle, task: EndedTask, commit: boolean): Promise<Record<string, unknown>> => {
    if (ctx.manager.isOwn(task.id)) await ctx.manager.processGone(task.id);
    const final = ctx.manager.fresh(task.id) as EndedTask;
    let notice: Notice | null;
    if (commit) {
      notice = await noticeForResult(handle, final);
      // From now on no other path tells of this task.
      ctx.seen(final);
      if (!handle.delivered && notice) handles.update(handle, { delivered: true });
    } else notice = owed.get(task.id) ?? (await notifier.endNoticeOf(final));
    const text = notice ? notice.text : `${taskLine(final)}\n(Its notice reached you earlier.)`;
    const view = notice ? modelNotice(notice) : { task_id: final.id, state: final.state, exit_code: final.exit_code, text };
    return {
      content: [{ type: 'text', text }],
      structuredContent: { notices: [view], task_id: final.id, state: final.state, exit_code: final.exit_code },
      ...(final.state !== 'done' ? { isError: true } : {}),
    };
  };

  const detailed = async (handle: Handle, task: Task, rctx: ServerContext | undefined, commit = true): Promise<Record<string, unknown>> => {
    const base = { taskId: handle.handle, createdAt: handle.created_at, lastUpdatedAt: lastUpdatedAt(task), ttlMs: null, pollIntervalMs: POLL_INTERVAL_MS };
    if (!isTerminal(task)) {
      const asks = await prompts.requestsFor(task, peer.capabilities(rctx));
      if (asks) return { ...base, status: 'input_required', statusMessage: `${taskLine(task)}: waiting for input`, inputRequests: asks };
      return { ...base, status: 'working', statusMessage: taskLine(task) };
    }
    if (task.state === 'cancelled' && handle.cancelled_by_client) {
      // The client cancelled it and now reads that: nothing is left to tell, on any path.
      if (commit && owed.delete(task.id)) ctx.seen(task);
      return { ...base, status: 'cancelled', statusMessage: task.error };
    }
    return { ...base, status: 'completed', statusMessage: taskLine(task), result: await completed(handle, task, commit) };
  };

  // notifications/tasks to listeners: on each state change, and at the end once the output is complete.
  const listen = deps.listen;
  const push = (task: Task): void => {
    const handle = listen ? handles.byTask(task.id) : null;
    if (!listen || !handle || !listen.listened(handle.handle)) return;
    void detailed(handle, ctx.manager.fresh(task.id), undefined, false)
      .then((d) => listen.notify(handle.handle, d))
      .catch(() => undefined);
  };
  const onChanged = (task: Task, prev: Task): void => {
    if (task.state !== prev.state && !isTerminal(task)) push(task);
  };
  if (listen) {
    listen.honours = (h) => handles.find(h) !== null;
    ctx.manager.on('changed', onChanged);
    ctx.manager.on('settled', push);
  }

  server.server.setRequestHandler('tasks/get', { params: taskIdParams }, async (p, rctx) => {
    await require(rctx);
    const { handle, task } = lookup(p.taskId);
    return detailed(handle, task, rctx);
  });

  server.server.setRequestHandler('tasks/update', { params: taskIdParams }, async (p, rctx) => {
    await require(rctx);
    const { task } = lookup(p.taskId);
    prompts.answer(task, rctx.mcpReq.inputResponses ?? {});
    return {};
  });

  server.server.setRequestHandler('tasks/cancel', { params: taskIdParams }, async (p, rctx) => {
    await require(rctx);
    const { handle, task } = lookup(p.taskId);
    if (isTerminal(task)) return {}; // Claude Code sends it twice; the second finds it ended.
    handles.update(handle, { cancelled_by_client: true });
    try {
      ctx.manager.cancel(task.id, `cancelled by the client (tasks/cancel from ${peer.name() ?? 'the MCP client'})`, 'client');
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
    }
    return {};
  });

  return {
    handleFor(task, statusMessage) {
      const handle = handles.ensure(task.id);
      polled.add(task.id);
      return {
        resultType: 'task',
        taskId: handle.handle,
        status: 'working',
        statusMessage: statusMessage ?? taskLine(task),
        createdAt: handle.created_at,
        lastUpdatedAt: new Date().toISOString(),
        ttlMs: null,
        pollIntervalMs: POLL_INTERVAL_MS,
      };
    },
    close() {
      undoHolder();
      ctx.manager.off('changed', onChanged);
      ctx.manager.off('settled', push);
      // Whatever this connection still owed goes to the other paths.
      for (const notice of owed.values()) notifier.release(notice);
      owed.clear();
    },
  };
}
