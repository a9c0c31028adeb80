/**
 * Completion notices to the MCP client, by every path a client may read:
 * appended to the next tool result (works everywhere), a logging message, a
 * Claude Code channel event. Notifications after a response go through
 * server.server.notification — never a saved request `extra`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Notice } from '../notify/notice.js';
import type { Notifier } from '../notify/notifier.js';
import type { Decorate } from './tool-kit.js';

export const CHANNEL_CAPABILITY = 'claude/channel';

export interface NoticeWiring {
  decorate: Decorate;
  /** Stops listening (server closing). */
  detach(): void;
}

function connected(server: McpServer): boolean {
  return server.server.transport !== undefined;
}

/** The client said it shows channel events to the model: those notices count as delivered. */
function clientReadsChannel(server: McpServer): boolean {
  const caps = server.server.getClientCapabilities() as { experimental?: Record<string, unknown> } | undefined;
  return Boolean(caps?.experimental?.[CHANNEL_CAPABILITY]);
}

export function wireNotices(server: McpServer, notifier: Notifier, session: () => string, opts: { channel: boolean }): NoticeWiring {
  const onNotice = (notice: Notice): void => {
    if (!connected(server) || notice.session !== session()) return;
    // Received by Claude Code and Codex, shown to the user rather than the model: not proof of delivery.
    server.server.sendLoggingMessage({ level: 'notice', logger: 'bgbash', data: notice.text }).catch(() => undefined);
    if (opts.channel) {
      const meta: Record<string, string> = { task_id: notice.task_id, state: notice.state };
      if (notice.exit_code !== null) meta.exit_code = String(notice.exit_code);
      server.server
        .notification({ method: 'notifications/claude/channel', params: { content: notice.text, meta } })
        .then(() => {
          if (clientReadsChannel(server)) notifier.delivered(notice);
        })
        .catch(() => undefined);
    }
  };
  notifier.on('notice', onNotice);
  const decorate: Decorate = (result) => {
    const notices = notifier.drain(session());
    if (notices.length === 0) return result;
    const block = `--- bgbash: ${notices.length === 1 ? 'a background task has news' : `${notices.length} background task notices`} ---\n${notices.map((n) => n.text).join('\n\n')}`;
    const out: CallToolResult = { ...result, content: [...result.content, { type: 'text', text: block }] };
    if (result.structuredContent) out.structuredContent = { ...result.structuredContent, notices };
    return out;
  };
  return { decorate, detach: () => notifier.off('notice', onNotice) };
}
