/** OpenAI Responses API with SSE, as Codex calls it (`POST …/responses`, `wire_api = "responses"`). */
import type http from 'node:http';
import { startEndpoint, sse, type Endpoint, type RawRequest, type Wire } from './http.js';
import { textOf, type ModelInput, type Part, type Script, type Turn } from './model.js';

interface Item {
  type?: string;
  role?: string;
  content?: unknown;
  name?: string;
  namespace?: string;
  arguments?: string;
  call_id?: string;
  output?: unknown;
}

function parts(body: { instructions?: string; input?: Item[] }): Part[] {
  const out: Part[] = [];
  const names = new Map<string, string>();
  if (body.instructions) out.push({ kind: 'system', text: body.instructions });
  for (const item of body.input ?? []) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      const text = textOf(item.content);
      if (item.role === 'assistant') out.push({ kind: 'assistant', text });
      else if (item.role === 'system' || item.role === 'developer') out.push({ kind: 'system', text });
      else out.push({ kind: 'user', text });
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const name = item.namespace ? joined(item.namespace, item.name ?? '') : (item.name ?? '');
      names.set(item.call_id ?? '', name);
      let input: unknown = item.arguments;
      try {
        input = JSON.parse(item.arguments ?? '');
      } catch {
        /* keep the string */
      }
      out.push({ kind: 'tool_call', id: item.call_id ?? '', name, input });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      out.push({ kind: 'tool_result', id: item.call_id ?? '', name: names.get(item.call_id ?? ''), text: textOf(item.output) });
    }
  }
  return out;
}

/** A namespaced tool's full name, as `<namespace>__<tool>` (Codex groups an MCP server's tools as namespace `mcp__<server>`). */
function joined(namespace: string, name: string): string {
  return namespace.endsWith('_') ? `${namespace}${name}` : `${namespace}__${name}`;
}

/** Tool names as the model sees them; MCP tools may come grouped in a namespace. */
function toolNames(tools: Array<{ type?: string; name?: string; tools?: Array<{ name?: string }> }> = []): string[] {
  return tools.flatMap((t) => (t.tools ? t.tools.map((s) => joined(t.name ?? '', s.name ?? '')) : t.name ? [t.name] : []));
}

let ids = 0;

const wire: Wire = {
  parse(req: RawRequest, seq: number): ModelInput | null {
    if (req.method !== 'POST' || !/\/responses(\?|$)/.test(req.url)) return null;
    const body = JSON.parse(req.body);
    return { seq, at: Date.now(), path: req.url, tools: toolNames(body.tools), parts: parts(body), raw: body };
  },
  reply(res: http.ServerResponse, turn: Turn, input: ModelInput): void {
    const id = `resp_fake${++ids}`;
    const rawTools = ((input.raw as { tools?: Array<{ name?: string; tools?: Array<{ name?: string }> }> }).tools ?? []);
    const items: unknown[] = [];
    if (turn.text) items.push({ type: 'message', role: 'assistant', id: `msg_${++ids}`, status: 'completed', content: [{ type: 'output_text', text: turn.text, annotations: [] }] });
    for (const c of turn.calls ?? []) {
      // A namespaced MCP tool is called by its namespace and short name.
      const ns = rawTools.find((t) => t.tools?.some((s) => joined(t.name ?? '', s.name ?? '') === c.name));
      const inner = ns?.tools?.find((s) => joined(ns.name ?? '', s.name ?? '') === c.name);
      const call = ns && inner ? { namespace: ns.name, name: inner.name } : { name: c.name };
      items.push({ type: 'function_call', id: `fc_${++ids}`, call_id: `call_fake${++ids}`, status: 'completed', arguments: JSON.stringify(c.input), ...call });
    }
    const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
    sse(res, [
      { event: 'response.created', data: { type: 'response.created', response: { id, status: 'in_progress', output: [] } } },
      ...items.map((item, output_index) => ({ event: 'response.output_item.done', data: { type: 'response.output_item.done', output_index, item } })),
      { event: 'response.completed', data: { type: 'response.completed', response: { id, status: 'completed', output: items, usage } } },
    ]);
  },
  other(req: RawRequest, res: http.ServerResponse): void {
    if (req.url.includes('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"models": [], "data": []}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `fake endpoint: no ${req.method} ${req.url}` } }));
  },
};

export function startResponses(script: Script): Promise<Endpoint> {
  return startEndpoint(wire, script);
}
