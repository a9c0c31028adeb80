/**
 * Completion notices to the MCP client by the paths a connection offers:
 * put in front of the next tool result (works everywhere), a logging message
 * (2025-11-25 clients; shown to the user, not the model), a Claude Code
 * channel event. Notices the tasks extension holds (its client polls for
 * them) go by that path alone.
 *
 * Channel events count as delivered only when the client says it shows them
 * to the model: by declaring experimental["claude/channel"], or — as Claude
 * Code never declares it — by the user turning `notices.channel` on together
 * with Claude Code's channels. Without that, no channel event is sent, so a
 * notice is never shown twice.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { Notice } from '../notify/notice.js';
import type { Notifier } from '../notify/notifier.js';
import { CHANNEL_CAPABILITY, type Peer } from './peer.js';

/** A notice as the model reads it: compact, stable keys, the text carries the rest. */
export interface ModelNotice {
  task_id: string;
  state: string;
  exit_code: number | null;
  text: string;
}

export function modelNotice(n: Notice): ModelNotice {
  return { task_id: n.task_id, state: n.state, exit_code: n.exit_code, text: n.text };
}

/** What bgbash tools answer: text for every client, structured content for those that read it. */
export interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Adds whatever every result should carry (pending notices), in front. */
export type Decorate = (result: ToolResult) => ToolResult;

export interface NoticeWiring {
  decorate: Decorate;
  /** Stops listening (server closing). */
  detach(): void;
}

export interface NoticeOptions {
  /** Send Claude Code channel events, and count them as read (notices.channel). */
  channel: boolean;
}

export function noticeBlock(notices: Notice[]): string {
  const head = notices.length === 1 ? 'a background task has news' : `${notices.length} background task notices`;
  return `--- bgbash: ${head} ---\n${notices.map((n) => n.text).join('\n\n')}\n---`;
}

export function wireNotices(server: McpServer, notifier: Notifier, peer: Peer, session: () => string, opts: NoticeOptions): NoticeWiring {
  const connected = (): boolean => server.server.transport !== undefined;
  const declaresChannel = (): boolean => Boolean(peer.capabilities()?.experimental?.[CHANNEL_CAPABILITY]);
  const onNotice = (notice: Notice, how: { held: boolean }): void => {
    if (!connected() || notice.session !== session() || how.held) return;
    // 2025-11-25 only: 2026-07-28 servers send no log messages outside a request that asked for them.
    if (peer.era === 'legacy') server.server.sendLoggingMessage({ level: 'notice', logger: 'bgbash', data: notice.text }).catch(() => undefined);
    if (!opts.channel && !declaresChannel()) return;
    const meta: Record<string, string> = { task_id: notice.task_id, state: notice.state };
    if (notice.exit_code !== null) meta.exit_code = String(notice.exit_code);
    server.server
      .notification({ method: 'notifications/claude/channel', params: { content: notice.text, meta } })
      .then(() => notifier.delivered(notice))
      .catch(() => undefined);
  };
  notifier.on('notice', onNotice);
  const decorate: Decorate = (result) => {
    const notices = notifier.drain(session());
    if (notices.length === 0) return result;
    // First: a client that shows only the start of a long result still shows them.
    const out: ToolResult = { ...result, content: [{ type: 'text', text: noticeBlock(notices) }, ...result.content] };
    if (result.structuredContent) out.structuredContent = { notices: notices.map(modelNotice), ...result.structuredContent };
    return out;
  };
  return { decorate, detach: () => notifier.off('notice', onNotice) };
}
