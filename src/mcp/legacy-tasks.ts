/**
 * The 2025-11-25 tasks utility, for clients of that era that call tools as
 * tasks (VS Code): `bash` and `bg_submit` accept task-augmented `tools/call`
 * and answer `{task}`; `tasks/get`, `tasks/result` (waits for the end),
 * `tasks/list`, `tasks/cancel` and `notifications/tasks/status` are backed by
 * bgbash's own tasks, under the same ids. SDK v2 no longer serves this
 * utility, so it lives here; 2026-07-28 clients use the tasks extension
 * (tasks-ext.ts) instead.
 *
 * Statuses: pending/running → working; done → completed; failed → completed
 * when the command ran and exited non-zero (its result carries the exit code
 * and output, which a `failed` status would withhold from the client), else
 * failed (timeout, could not start, killed, server gone); cancelled → cancelled.
 */
import { ProtocolError, ProtocolErrorCode, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { isTerminal, type Task } from '../shared/task.js';
import { errorOf, lastUpdatedAt, terminationOf } from '../shared/task-fields.js';
import { waitForEnd } from '../core/waits.js';
import type { ToolContext } from './context.js';
import type { LegacyTasks } from './tool-kit.js';
import { commandResult } from './tools/bash.js';
import { shellSpecFrom } from './tools/shell-input.js';

const POLL_MS = 500;
const TASK_TOOLS = new Set(['bash', 'bg_submit']);
const RELATED_TASK = 'io.modelcontextprotocol/related-task';

type Status2025 = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export function legacyStatus(task: Task): Status2025 {
  switch (task.state) {
    case 'pending':
    case 'running':
      return 'working';
    case 'done':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      // It ran to its end (a non-zero exit): the call completed, its result says how.
      return terminationOf(task)?.reason === 'exit' ? 'completed' : 'failed';
  }
}

function view(task: Task): Record<string, unknown> {
  return {
    taskId: task.id,
    status: legacyStatus(task),
    statusMessage: errorOf(task) ?? `${task.state}: ${task.name ?? task.command ?? task.prompt}`,
    createdAt: task.created_at,
    lastUpdatedAt: lastUpdatedAt(task),
    ttl: null,
    pollInterval: POLL_MS,
  };
}

const idParams = z.looseObject({ taskId: z.string().max(200) });

export function enableLegacyTasks(server: McpServer, ctx: ToolContext): LegacyTasks {
  /** Tasks created through task-augmented calls, oldest first. */
  const created = new Set<string>();
  server.server.registerCapabilities({ tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } } as never);
  const find = (taskId: string): Task => {
    try {
      return ctx.manager.fresh(taskId);
    } catch {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId.slice(0, 80)}`);
    }
  };
  server.server.setRequestHandler('tasks/get', { params: idParams }, async (p) => {
    await ctx.ready;
    return view(find(p.taskId));
  });
  server.server.setRequestHandler('tasks/list', { params: z.looseObject({}) }, async () => ({
    tasks: [...created].reverse().flatMap((id) => {
      try {
        return [view(ctx.manager.fresh(id))];
      } catch {
        return [];
      }
    }),
  }));
  server.server.setRequestHandler('tasks/result', { params: idParams }, async (p, rctx) => {
    await ctx.ready;
    let task = find(p.taskId);
    while (!isTerminal(task) && !rctx.mcpReq.signal.aborted) task = await waitForEnd(ctx.manager, task.id, 60_000, rctx.mcpReq.signal);
    await ctx.manager.processGone(task.id);
    const final = ctx.manager.fresh(task.id);
    ctx.seen(final);
    const reply = await commandResult(ctx, final, null, null);
    return {
      content: [{ type: 'text', text: reply.text }],
      structuredContent: reply.structured,
      ...(legacyStatus(final) === 'failed' ? { isError: true } : {}),
      _meta: { [RELATED_TASK]: { taskId: final.id } },
    };
  });
  server.server.setRequestHandler('tasks/cancel', { params: idParams }, async (p) => {
    await ctx.ready;
    const task = find(p.taskId);
    if (isTerminal(task)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel task ${task.id}: it already ended (${legacyStatus(task)})`);
    ctx.manager.cancel(task.id, 'cancelled by the client (tasks/cancel)', 'client');
    return view(ctx.manager.fresh(task.id));
  });

  // Status changes of tasks created as MCP tasks are pushed as they happen.
  const push = (task: Task): void => {
    if (!created.has(task.id) || server.server.transport === undefined) return;
    server.server.notification({ method: 'notifications/tasks/status', params: view(task) } as never).catch(() => undefined);
  };
  const onChanged = (task: Task, prev: Task): void => {
    if (task.state !== prev.state && !isTerminal(task)) push(task);
  };
  // Terminal status once the output is complete, so a tasks/result right after gets all of it.
  const onSettled = (task: Task): void => push(ctx.manager.fresh(task.id));
  ctx.manager.on('changed', onChanged);
  ctx.manager.on('settled', onSettled);

  return {
    accepts: (tool) => TASK_TOOLS.has(tool),
    async call(tool, args) {
      if (args.command === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid arguments for tool ${tool}: command is required`);
      let task: Task;
      try {
        task = await ctx.manager.submit(shellSpecFrom(ctx, { ...args, command: args.command }, { foreground: false }));
      } catch (err) {
        if (err instanceof UserError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, err.message);
        throw err;
      }
      created.add(task.id);
      // The SDK's result check wants content beside a task; 2025 clients read only `task`.
      return { content: [], task: view(task) };
    },
    close() {
      ctx.manager.off('changed', onChanged);
      ctx.manager.off('settled', onSettled);
    },
  };
}
