/** Anthropic Messages API with SSE streaming, as Claude Code calls it (`POST /v1/messages?beta=true`). */
import type http from 'node:http';
import { startEndpoint, sse, type Endpoint, type RawRequest, type Wire } from './http.js';
import { textOf, type ModelInput, type Part, type Script, type Turn } from './model.js';

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
}

function parts(body: { system?: unknown; messages?: Array<{ role: string; content: string | Block[] }> }): Part[] {
  const out: Part[] = [];
  const names = new Map<string, string>();
  if (body.system) out.push({ kind: 'system', text: textOf(body.system) });
  for (const m of body.messages ?? []) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    for (const b of blocks) {
      if (b.type === 'text') out.push({ kind: m.role === 'assistant' ? 'assistant' : 'user', text: b.text ?? '' });
      else if (b.type === 'tool_use') {
        names.set(b.id ?? '', b.name ?? '');
        out.push({ kind: 'tool_call', id: b.id ?? '', name: b.name ?? '', input: b.input });
      } else if (b.type === 'tool_result') out.push({ kind: 'tool_result', id: b.tool_use_id ?? '', name: names.get(b.tool_use_id ?? ''), text: textOf(b.content) });
    }
  }
  return out;
}

let ids = 0;

const wire: Wire = {
  parse(req: RawRequest, seq: number): ModelInput | null {
    if (req.method !== 'POST' || !/^\/v1\/messages(\?|$)/.test(req.url)) return null;
    const body = JSON.parse(req.body);
    return { seq, at: Date.now(), path: req.url, tools: (body.tools ?? []).map((t: { name: string }) => t.name), parts: parts(body), raw: body };
  },
  reply(res: http.ServerResponse, turn: Turn, input: ModelInput): void {
    const content: Block[] = [];
    if (turn.text) content.push({ type: 'text', text: turn.text });
    for (const c of turn.calls ?? []) content.push({ type: 'tool_use', id: `toolu_fake${++ids}`, name: c.name, input: c.input });
    const stop = turn.calls?.length ? 'tool_use' : 'end_turn';
    const model = (input.raw as { model?: string }).model ?? 'claude-fake';
    const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const id = `msg_fake${++ids}`;
    if (!(input.raw as { stream?: boolean }).stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage }));
      return;
    }
    const events: Array<{ event: string; data: unknown }> = [
      { event: 'message_start', data: { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } } },
    ];
    content.forEach((b, index) => {
      if (b.type === 'text') {
        events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } } });
      } else {
        events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } } });
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } } });
      }
      events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    });
    events.push({ event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } } });
    events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    sse(res, events);
  },
  other(req: RawRequest, res: http.ServerResponse): void {
    if (req.url.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens": 100}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `fake endpoint: no ${req.method} ${req.url}` } }));
  },
};

export function startAnthropic(script: Script): Promise<Endpoint> {
  return startEndpoint(wire, script);
}
