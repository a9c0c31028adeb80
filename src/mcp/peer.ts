/**
 * Who is calling. A 2025-11-25 client says who it is and what it reads once,
 * at `initialize`; a 2026-07-28 client says it on every request, in the
 * request's `_meta` (protocol version, clientInfo, clientCapabilities). The
 * tools ask this one place, whatever the era.
 */
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, type ClientCapabilities, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { TASKS_EXTENSION } from './identity.js';

export { CHANNEL_CAPABILITY, TASKS_EXTENSION } from './identity.js';

export type Era = 'legacy' | 'modern';

type Caps = ClientCapabilities & { extensions?: Record<string, unknown>; experimental?: Record<string, unknown> };

export interface Peer {
  readonly era: Era;
  /** clientInfo.name: from initialize, or the latest request that carried one. */
  name(): string | null;
  /** Remembers what a request said about its client (2026-07-28 envelope). */
  note(ctx: ServerContext): void;
  /** This request's client capabilities (modern), or the initialize ones (legacy). */
  capabilities(ctx?: ServerContext): Caps | undefined;
  /** The request declared the tasks extension: it may be answered with a task handle. */
  acceptsTasks(ctx: ServerContext): boolean;
}

function envelopeOf(ctx: ServerContext | undefined): Record<string, unknown> | undefined {
  return ctx?.mcpReq.envelope as Record<string, unknown> | undefined;
}

export function createPeer(server: McpServer, era: Era, onName?: (name: string) => void): Peer {
  let lastName: string | null = null;
  let lastCaps: Caps | undefined;
  const capabilities = (ctx?: ServerContext): Caps | undefined => {
    if (era === 'legacy') return server.server.getClientCapabilities() as Caps | undefined;
    const caps = envelopeOf(ctx)?.[CLIENT_CAPABILITIES_META_KEY] as Caps | undefined;
    return caps ?? lastCaps;
  };
  return {
    era,
    name: () => (era === 'legacy' ? (server.server.getClientVersion()?.name ?? null) : lastName),
    note(ctx) {
      const env = envelopeOf(ctx);
      const info = env?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
      if (typeof info?.name === 'string' && info.name !== lastName) {
        lastName = info.name;
        onName?.(info.name);
      }
      const caps = env?.[CLIENT_CAPABILITIES_META_KEY];
      if (caps && typeof caps === 'object') lastCaps = caps as Caps;
    },
    capabilities,
    // Per the extension: a handle only to a request that declared it, "regardless of prior declarations".
    acceptsTasks: (ctx) => era === 'modern' && Boolean((envelopeOf(ctx)?.[CLIENT_CAPABILITIES_META_KEY] as Caps | undefined)?.extensions?.[TASKS_EXTENSION]),
  };
}
