/**
 * One MCP server instance: a thin adapter that exposes the TaskManager as
 * tools, for one connection of either protocol era. The serving entries
 * (stdio.ts, http.ts) pick the era from the client's opening message and ask
 * for an instance of it: 2025-11-25 (`initialize`) or 2026-07-28
 * (`server/discover`, per-request `_meta`, the tasks extension).
 */
import { McpServer } from '@modelcontextprotocol/server';
import type { Notifier } from '../notify/notifier.js';
import type { ToolContext } from './context.js';
import { INSTRUCTIONS, SERVER_NAME, SERVER_TITLE } from './identity.js';
import { enableLegacyTasks } from './legacy-tasks.js';
import { wireNotices } from './notices.js';
import { CHANNEL_CAPABILITY, createPeer, TASKS_EXTENSION, type Era } from './peer.js';
import { registerResources } from './resources.js';
import { samplingExecutor } from './sampling.js';
import { TaskHandles } from './task-handles.js';
import type { TaskListenTap } from './task-listen.js';
import { enableTasksExtension } from './tasks-ext.js';
import { registerTools, type AnyToolDef } from './tool-kit.js';
import { bashTool } from './tools/bash.js';
import { bgSubmitTool } from './tools/bg-submit.js';
import { taskCancelTool } from './tools/task-cancel.js';
import { taskInputTool } from './tools/task-input.js';
import { taskListTool } from './tools/task-list.js';
import { taskOutputTool } from './tools/task-output.js';
import { taskRetryTool } from './tools/task-retry.js';
import { taskStatusTool } from './tools/task-status.js';

export { INSTRUCTIONS, SERVER_NAME } from './identity.js';

export const TOOLS = [bashTool, bgSubmitTool, taskStatusTool, taskOutputTool, taskListTool, taskCancelTool, taskRetryTool, taskInputTool];

export interface ServerOptions {
  version: string;
  notifier: Notifier;
  /** Declare and send Claude Code channel events, counted as read (notices.channel). */
  channel: boolean;
  era: Era;
  /** This instance is the session's connection (false: one 2026-07-28 HTTP request), so closing it ends the session's shell. */
  ownsSession?: boolean;
  /** notifications/tasks go through it (stdio). */
  listen?: TaskListenTap;
  /** Told the client's name when it is first known (initialize, or a request's _meta). */
  onClient?: (name: string) => void;
}

export interface BgbashMcp {
  server: McpServer;
  era: Era;
  /** The client's name, once it said it. */
  clientName(): string | null;
  close(): Promise<void>;
}

export function createMcpServer(ctx: Omit<ToolContext, 'clientName' | 'seen'>, opts: ServerOptions): BgbashMcp {
  const experimental: Record<string, Record<string, never>> = opts.channel ? { [CHANNEL_CAPABILITY]: {} } : {};
  const server = new McpServer(
    { name: SERVER_NAME, version: opts.version, title: SERVER_TITLE },
    {
      capabilities: {
        tools: {},
        ...(opts.era === 'legacy' ? { logging: {} } : { extensions: { [TASKS_EXTENSION]: {} } }),
        experimental,
      },
      instructions: INSTRUCTIONS,
    },
  );
  const peer = createPeer(server, opts.era, opts.onClient);
  const full: ToolContext = { ...ctx, clientName: () => peer.name(), seen: (task) => opts.notifier.markSeen(task, ctx.session()) };
  const notices = wireNotices(server, opts.notifier, peer, ctx.session, { channel: opts.channel });
  const unregister = registerResources(server, ctx.manager, opts.era, ctx.ready);
  const tasks = opts.era === 'modern' ? enableTasksExtension(server, { ctx: full, notifier: opts.notifier, peer, handles: new TaskHandles(ctx.manager.paths), listen: opts.listen }) : null;
  const legacyTasks = opts.era === 'legacy' ? enableLegacyTasks(server, full) : null;
  registerTools(server, TOOLS.map((make) => make(full)) as AnyToolDef[], { ready: ctx.ready, decorate: notices.decorate, peer, tasks, legacyTasks });
  // Prompts without a runner go to the client's own model when it offers sampling (2025-11-25: 2026-07-28 has no server-to-client requests).
  server.server.oninitialized = () => {
    const name = server.server.getClientVersion()?.name;
    if (name) opts.onClient?.(name);
    if (!server.server.getClientCapabilities()?.sampling) return;
    // SDK v1 clients ignore notifications/cancelled for request id 0 (a falsy
    // check in Protocol._oncancel), so cancelling the first sampling request
    // would not reach them: spend id 0 on a ping.
    void server.server.ping().catch(() => undefined);
    ctx.manager.setExecutor(ctx.session(), samplingExecutor(server));
  };
  let closed = false;
  const api: BgbashMcp = {
    server,
    era: opts.era,
    clientName: () => peer.name(),
    async close() {
      if (closed) return;
      closed = true;
      if (opts.era === 'legacy' && server.server.getClientCapabilities()?.sampling) ctx.manager.setExecutor(ctx.session(), null);
      // A 2026-07-28 HTTP instance lives for one request; the session's shell outlives it.
      if (opts.ownsSession !== false) ctx.shells.forget(ctx.session());
      notices.detach();
      unregister();
      tasks?.close();
      legacyTasks?.close();
      await server.close().catch(() => undefined);
    },
  };
  // The serving entries close instances themselves (a discarded probe, a finished HTTP request): let go of the engine then too.
  server.server.onclose = () => void api.close();
  return api;
}
