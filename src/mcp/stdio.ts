/**
 * MCP over stdio, both protocol eras on one connection: the SDK's serveStdio
 * reads the client's opening message — `initialize` (2025-11-25: Claude Code
 * before 2.1.330, Codex, Gemini CLI, opencode, Cursor, VS Code) or
 * `server/discover` with a per-request `_meta` envelope (2026-07-28: Claude
 * Code ≥ 2.1.330) — and pins one instance of that era. A client that probes
 * with server/discover and then falls back to initialize gets its probe
 * instance closed and a 2025 one, so instances must be cheap and close clean.
 */
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Era } from './peer.js';
import { TaskListenTap } from './task-listen.js';
import type { BgbashMcp } from './server.js';

export interface StdioServing {
  close(): Promise<void>;
}

export function serveMcpStdio(make: (era: Era, listen: TaskListenTap) => BgbashMcp, onClose: (why: string) => void): StdioServing {
  // Under the SDK's entry: notifications/tasks for clients that listen for them.
  const wire = new TaskListenTap(new StdioServerTransport());
  const live = new Set<BgbashMcp>();
  const handle = serveStdio(
    ({ era }) => {
      const mcp = make(era, wire);
      live.add(mcp);
      const previous = mcp.server.server.onclose;
      mcp.server.server.onclose = () => {
        previous?.();
        live.delete(mcp);
      };
      return mcp.server;
    },
    {
      transport: wire,
      onerror: (err) => process.stderr.write(`bgbash: MCP: ${err.message}\n`),
    },
  );
  // The client closing our stdin is how stdio MCP sessions end.
  process.stdin.on('end', () => onClose('stdin closed'));
  process.stdin.on('close', () => onClose('stdin closed'));
  process.stdout.on('error', () => onClose('stdout closed'));
  // Many answers in flight at once each wait for stdout to drain: not a leak.
  process.stdout.setMaxListeners(0);
  return {
    async close() {
      await Promise.all([...live].map((m) => m.close()));
      await handle.close();
    },
  };
}
