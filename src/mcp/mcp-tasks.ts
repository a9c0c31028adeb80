/**
 * The MCP tasks utility (protocol 2025-11-25, SDK v1 experimental): `bash`
 * and `bg_submit` accept task-augmented `tools/call`, so clients that call
 * tools as tasks (VS Code) get `tasks/get`, `tasks/result`, `tasks/list`,
 * `tasks/cancel` and `notifications/tasks/status` — backed by bgbash's own
 * tasks, under the same ids.
 *
 * Statuses: pending/running → working; done → completed; failed → completed
 * when the command ran and exited non-zero (its result carries the exit code
 * and output, which a `failed` status would withhold from the client), else
 * failed (timeout, could not start, killed, server gone); cancelled → cancelled.
 *
 * SDK v1's McpServer runs every call of a tool registered with task support
 * through its own polling, which would end a foreground `bash`'s yield/until
 * semantics; so task-augmented calls are intercepted before it, and tools/list
 * is amended to advertise `execution.taskSupport: "optional"`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Result,
  type Task as McpTask,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { TaskManager } from '../core/manager.js';
import { isTerminal, type Task } from '../core/task.js';
import type { ToolContext } from './context.js';
import { bashInput, commandResult } from './tools/bash.js';
import { bgSubmitInput } from './tools/bg-submit.js';
import { shellSpecFrom } from './tools/shell-input.js';

const POLL_MS = 500;
const TASK_TOOLS = new Set(['bash', 'bg_submit']);

export function mcpStatus(task: Task): McpTask['status'] {
  switch (task.state) {
    case 'pending':
    case 'running':
      return 'working';
    case 'done':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return task.exit_code !== null && task.signal === null ? 'completed' : 'failed';
  }
}

export class BgbashTaskStore implements TaskStore {
  /** Tasks created through task-augmented calls, newest last. */
  readonly created = new Set<string>();
  ctx: ToolContext | null = null;

  constructor(private readonly manager: TaskManager) {}

  toMcp(task: Task): McpTask {
    const t = task as Task & { started_at?: string | null; ended_at?: string; error?: string };
    return {
      taskId: task.id,
      status: mcpStatus(task),
      statusMessage: t.error ?? `${task.state}: ${task.name ?? task.command ?? task.prompt}`,
      createdAt: task.created_at,
      lastUpdatedAt: t.ended_at ?? t.started_at ?? task.created_at,
      ttl: null,
      pollInterval: POLL_MS,
    };
  }

  private find(taskId: string): Task | null {
    try {
      return this.manager.fresh(taskId);
    } catch {
      return null;
    }
  }

  async createTask(params: CreateTaskOptions): Promise<McpTask> {
    const id = String(params.context?.bgbash_task_id ?? '');
    const task = this.find(id);
    if (!task) throw new McpError(ErrorCode.InternalError, `no bgbash task ${id} to attach the MCP task to`);
    this.created.add(id);
    return this.toMcp(task);
  }

  async getTask(taskId: string): Promise<McpTask | null> {
    const task = this.find(taskId);
    return task ? this.toMcp(task) : null;
  }

  async storeTaskResult(): Promise<void> {
    // Results are derived from the task itself when asked for.
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const task = this.find(taskId);
    if (!task || !this.ctx) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    await this.manager.processGone(task.id);
    const final = this.manager.fresh(task.id);
    this.ctx.seen(final);
    const reply = await commandResult(this.ctx, final, null, null);
    const result: CallToolResult = { content: [{ type: 'text', text: reply.text }], structuredContent: reply.structured };
    if (mcpStatus(final) === 'failed') result.isError = true;
    return result;
  }

  /** The SDK's tasks/cancel lands here: cancel the bgbash task. */
  async updateTaskStatus(taskId: string, status: McpTask['status'], statusMessage?: string): Promise<void> {
    if (status !== 'cancelled') return;
    const task = this.find(taskId);
    if (task && !isTerminal(task)) this.manager.cancel(task.id, statusMessage ? `cancelled by the client (tasks/cancel: ${statusMessage})` : 'cancelled by the client (tasks/cancel)');
  }

  async listTasks(): Promise<{ tasks: McpTask[] }> {
    const tasks = [...this.created].reverse().map((id) => this.find(id)).filter((t): t is Task => t !== null);
    return { tasks: tasks.map((t) => this.toMcp(t)) };
  }
}

type Handler = (request: unknown, extra: unknown) => Promise<unknown>;

/** Intercepts task-augmented calls of bash/bg_submit and advertises task support. Call after the tools are registered. */
export function enableMcpTasks(server: McpServer, store: BgbashTaskStore, ctx: ToolContext): () => void {
  store.ctx = ctx;
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, Handler> })._requestHandlers;
  const originalCall = handlers.get('tools/call')!;
  const originalList = handlers.get('tools/list')!;
  server.server.setRequestHandler(ListToolsRequestSchema, (async (request: unknown, extra: unknown) => {
    const result = (await originalList(request, extra)) as { tools: Array<{ name: string; execution?: object }> };
    for (const tool of result.tools) if (TASK_TOOLS.has(tool.name)) tool.execution = { taskSupport: 'optional' };
    return result;
  }) as never);
  server.server.setRequestHandler(CallToolRequestSchema, (async (request: z.infer<typeof CallToolRequestSchema>, extra: { taskStore?: { createTask(o: CreateTaskOptions): Promise<McpTask> } }) => {
    const { name, task: taskParams, arguments: args } = request.params;
    if (!taskParams || !TASK_TOOLS.has(name)) return originalCall(request, extra);
    const shape = name === 'bash' ? bashInput : bgSubmitInput;
    const parsed = z.object(shape).safeParse(args ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${issue.path.join('.') || 'arguments'}: ${issue.message}`);
    }
    const a = parsed.data as z.infer<z.ZodObject<typeof bgSubmitInput>>;
    if (a.command === undefined) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: command is required`);
    let task: Task;
    try {
      task = await ctx.manager.submit(shellSpecFrom(ctx, { ...a, command: a.command }, { foreground: false }));
    } catch (err) {
      if (err instanceof UserError) throw new McpError(ErrorCode.InvalidParams, err.message);
      throw err;
    }
    const mcpTask = await extra.taskStore!.createTask({ ttl: taskParams.ttl ?? null, pollInterval: POLL_MS, context: { bgbash_task_id: task.id } });
    return { task: mcpTask };
  }) as never);
  // Status changes of tasks created as MCP tasks are pushed as they happen.
  const push = (task: Task): void => {
    if (!store.created.has(task.id) || server.server.transport === undefined) return;
    server.server.notification({ method: 'notifications/tasks/status', params: store.toMcp(task) } as never).catch(() => undefined);
  };
  const onChanged = (task: Task, prev: Task): void => {
    if (task.state !== prev.state && !isTerminal(task)) push(task);
  };
  // Terminal status once the output is complete, so a tasks/result right after gets all of it.
  const onSettled = (task: Task): void => push(ctx.manager.fresh(task.id));
  ctx.manager.on('changed', onChanged);
  ctx.manager.on('settled', onSettled);
  return () => {
    ctx.manager.off('changed', onChanged);
    ctx.manager.off('settled', onSettled);
  };
}
