/** OpenAI Chat Completions with SSE, as opencode's `@ai-sdk/openai-compatible` provider calls it (`POST …/chat/completions`). */
import type http from 'node:http';
import { startEndpoint, sse, type Endpoint, type RawRequest, type Wire } from './http.js';
import { textOf, type ModelInput, type Part, type Script, type Turn } from './model.js';

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

function parts(body: { messages?: Message[] }): Part[] {
  const out: Part[] = [];
  const names = new Map<string, string>();
  for (const m of body.messages ?? []) {
    const text = textOf(m.content);
    if (m.role === 'system' || m.role === 'developer') out.push({ kind: 'system', text });
    else if (m.role === 'user') out.push({ kind: 'user', text });
    else if (m.role === 'assistant') {
      if (text) out.push({ kind: 'assistant', text });
      for (const c of m.tool_calls ?? []) {
        names.set(c.id, c.function.name);
        let input: unknown = c.function.arguments;
        try {
          input = JSON.parse(c.function.arguments);
        } catch {
          /* keep the string */
        }
        out.push({ kind: 'tool_call', id: c.id, name: c.function.name, input });
      }
    } else if (m.role === 'tool') out.push({ kind: 'tool_result', id: m.tool_call_id ?? '', name: names.get(m.tool_call_id ?? ''), text });
  }
  return out;
}

let ids = 0;

const wire: Wire = {
  parse(req: RawRequest, seq: number): ModelInput | null {
    if (req.method !== 'POST' || !/\/chat\/completions(\?|$)/.test(req.url)) return null;
    const body = JSON.parse(req.body);
    return { seq, at: Date.now(), path: req.url, tools: (body.tools ?? []).map((t: { function?: { name: string } }) => t.function?.name ?? ''), parts: parts(body), raw: body };
  },
  reply(res: http.ServerResponse, turn: Turn, input: ModelInput): void {
    const id = `chatcmpl-fake${++ids}`;
    const model = (input.raw as { model?: string }).model ?? 'fake';
    const chunk = (delta: unknown, finish: string | null = null): { data: unknown } => ({
      data: { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finish }] },
    });
    const events = [chunk({ role: 'assistant', content: turn.text ?? '' })];
    (turn.calls ?? []).forEach((c, index) => {
      events.push(chunk({ tool_calls: [{ index, id: `call_fake${++ids}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } }] }));
    });
    events.push(chunk({}, turn.calls?.length ? 'tool_calls' : 'stop'));
    events.push({ data: { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } });
    sse(res, events, '[DONE]');
  },
  other(req: RawRequest, res: http.ServerResponse): void {
    if (req.url.includes('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object": "list", "data": [{"id": "fake-model", "object": "model"}]}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `fake endpoint: no ${req.method} ${req.url}` } }));
  },
};

export function startChat(script: Script): Promise<Endpoint> {
  return startEndpoint(wire, script);
}
