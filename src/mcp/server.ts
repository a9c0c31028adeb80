/** The MCP server: a thin adapter that exposes the TaskManager as tools. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Notifier } from '../notify/notifier.js';
import type { ToolContext } from './context.js';
import { CHANNEL_CAPABILITY, wireNotices } from './notices.js';
import { registerResources } from './resources.js';
import { BgbashTaskStore, enableMcpTasks } from './mcp-tasks.js';
import { samplingExecutor } from './sampling.js';
import { registerTool } from './tool-kit.js';
import { bashTool } from './tools/bash.js';
import { bgSubmitTool } from './tools/bg-submit.js';
import { taskCancelTool } from './tools/task-cancel.js';
import { taskInputTool } from './tools/task-input.js';
import { taskListTool } from './tools/task-list.js';
import { taskOutputTool } from './tools/task-output.js';
import { taskRetryTool } from './tools/task-retry.js';
import { taskStatusTool } from './tools/task-status.js';

export const SERVER_NAME = 'bgbash';

export const INSTRUCTIONS = `bgbash runs shell commands without blocking you. Use its bash tool with background: true for servers, watchers, builds and tests; a foreground bash call returns after yield_after seconds (default 30) with the command still running as a task. When a background task ends you are told once, with a notice like "[Task #12 completed] npm test — exit code 0 (41.2s)" followed by the last lines of output: appended to your next bgbash tool result, or pushed as a <channel source="bgbash" task_id=".." state=".."> event. React to it (read more with task_output) without polling. Read output with task_output (cursor-based, capped), wait with task_status {wait}, answer prompts with task_input.`;

export interface ServerOptions {
  version: string;
  notifier: Notifier;
  /** Declare and send Claude Code channel events. */
  channel: boolean;
}

export interface BgbashMcp {
  server: McpServer;
  close(): Promise<void>;
}

export function createMcpServer(ctx: Omit<ToolContext, 'clientName' | 'seen'>, opts: ServerOptions): BgbashMcp {
  const experimental: Record<string, object> = opts.channel ? { [CHANNEL_CAPABILITY]: {} } : {};
  const taskStore = new BgbashTaskStore(ctx.manager);
  const server = new McpServer(
    { name: SERVER_NAME, version: opts.version, title: 'bgbash — background shell tasks' },
    {
      capabilities: { tools: {}, logging: {}, experimental, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      instructions: INSTRUCTIONS,
      taskStore,
    },
  );
  const full: ToolContext = {
    ...ctx,
    clientName: () => server.server.getClientVersion()?.name ?? null,
    seen: (task) => opts.notifier.markSeen(task),
  };
  const notices = wireNotices(server, opts.notifier, ctx.session, { channel: opts.channel });
  const unregister = registerResources(server, ctx.manager);
  for (const make of [bashTool, bgSubmitTool, taskStatusTool, taskOutputTool, taskListTool, taskCancelTool, taskRetryTool, taskInputTool]) {
    registerTool(server, make(full) as never, notices.decorate);
  }
  const disableTasks = enableMcpTasks(server, taskStore, full);
  // Prompts without a runner go to the client's own model when it offers sampling.
  const previousInit = server.server.oninitialized;
  server.server.oninitialized = () => {
    previousInit?.();
    if (!server.server.getClientCapabilities()?.sampling) return;
    // SDK v1 clients ignore notifications/cancelled for request id 0 (a falsy
    // check in Protocol._oncancel), so cancelling the first sampling request
    // would not reach them: spend id 0 on a ping.
    void server.server.ping().catch(() => undefined);
    ctx.manager.setExecutor(ctx.session(), samplingExecutor(server));
  };
  return {
    server,
    async close() {
      ctx.manager.setExecutor(ctx.session(), null);
      ctx.shells.forget(ctx.session());
      notices.detach();
      unregister();
      disableTasks();
      await server.close().catch(() => undefined);
    },
  };
}
