/**
 * The MCP sampling path for prompt tasks: when no runner is configured and the
 * client offers sampling, the prompt goes to the client's model with
 * sampling/createMessage; the reply is the task's Result. Cancelling the task
 * aborts the request.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { Executor } from '../run/backends/backend.js';

const MAX_TOKENS = 8192;

function usageOf(result: Record<string, unknown>): { input: number | null; output: number | null } {
  const u = (result.usage ?? (result._meta as Record<string, unknown> | undefined)?.usage) as Record<string, unknown> | undefined;
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { input: n(u?.input_tokens ?? u?.inputTokens), output: n(u?.output_tokens ?? u?.outputTokens) };
}

export function samplingExecutor(server: McpServer): Executor {
  return async (task, signal) => {
    const result = await server.server.createMessage(
      { messages: [{ role: 'user', content: { type: 'text', text: task.prompt ?? '' } }], maxTokens: MAX_TOKENS, includeContext: 'none' },
      { signal, timeout: task.timeout_ms, maxTotalTimeout: task.timeout_ms },
    );
    const parts = Array.isArray(result.content) ? result.content : [result.content];
    const text = parts.map((c) => (c && typeof c === 'object' && 'text' in c ? String((c as { text: string }).text) : '')).join('');
    const usage = usageOf(result as unknown as Record<string, unknown>);
    return { text, input_tokens: usage.input, output_tokens: usage.output };
  };
}
