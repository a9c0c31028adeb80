/** The MCP server: a thin adapter that exposes the TaskManager as tools. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContext } from './context.js';
import { registerTool, type Decorate } from './tool-kit.js';
import { bashTool } from './tools/bash.js';
import { bgSubmitTool } from './tools/bg-submit.js';
import { taskCancelTool } from './tools/task-cancel.js';
import { taskInputTool } from './tools/task-input.js';
import { taskListTool } from './tools/task-list.js';
import { taskOutputTool } from './tools/task-output.js';
import { taskRetryTool } from './tools/task-retry.js';
import { taskStatusTool } from './tools/task-status.js';

export const SERVER_NAME = 'bgbash';

export const INSTRUCTIONS = `bgbash runs shell commands without blocking you. Use its bash tool with background: true for servers, watchers, builds and tests; a foreground bash call returns after yield_after seconds (default 30) with the command still running as a task. When a task ends you get a notice like "[Task #12 completed] npm test — exit code 0 (41.2s)" in a later tool result (or pushed by your client). Read output with task_output (cursor-based, capped), wait with task_status {wait} instead of polling, answer prompts with task_input.`;

export interface ServerOptions {
  version: string;
  decorate?: Decorate;
}

export function createMcpServer(ctx: Omit<ToolContext, 'clientName'>, opts: ServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: opts.version, title: 'bgbash — background shell tasks' },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const full: ToolContext = { ...ctx, clientName: () => server.server.getClientVersion()?.name ?? null };
  const decorate: Decorate = opts.decorate ?? ((r: CallToolResult) => r);
  for (const make of [bashTool, bgSubmitTool, taskStatusTool, taskOutputTool, taskListTool, taskCancelTool, taskRetryTool, taskInputTool]) {
    registerTool(server, make(full) as never, decorate);
  }
  return server;
}
