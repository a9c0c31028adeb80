/**
 * Gemini API `streamGenerateContent?alt=sse` (and plain `generateContent`), as
 * Gemini CLI calls it with GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL, plus the
 * CLI's driver. Requests without tools that ask for JSON (its next-speaker
 * check) get a JSON answer that hands the turn back to the user.
 */
import path from 'node:path';
import type http from 'node:http';
import { startEndpoint, sse, type Endpoint, type RawRequest, type Wire } from './http.js';
import { textOf, type ModelInput, type Part, type Script, type Turn } from './model.js';
import { runCli, type Run } from './run.js';
import type { Workspace } from './workspace.js';

interface GPart {
  text?: string;
  functionCall?: { name: string; args?: unknown; id?: string };
  functionResponse?: { name: string; response?: unknown; id?: string };
}

function parts(body: { systemInstruction?: { parts?: GPart[] }; contents?: Array<{ role?: string; parts?: GPart[] }> }): Part[] {
  const out: Part[] = [];
  if (body.systemInstruction) out.push({ kind: 'system', text: (body.systemInstruction.parts ?? []).map((p) => p.text ?? '').join('\n') });
  let n = 0;
  const open: string[] = [];
  for (const c of body.contents ?? []) {
    for (const p of c.parts ?? []) {
      if (p.functionCall) {
        const id = p.functionCall.id ?? `g${n++}`;
        open.push(id);
        out.push({ kind: 'tool_call', id, name: p.functionCall.name, input: p.functionCall.args });
      } else if (p.functionResponse) {
        out.push({ kind: 'tool_result', id: p.functionResponse.id ?? open.shift() ?? '', name: p.functionResponse.name, text: textOf(p.functionResponse.response) });
      } else if (p.text !== undefined) out.push({ kind: c.role === 'model' ? 'assistant' : 'user', text: p.text });
    }
  }
  return out;
}

function toolNames(tools: Array<{ functionDeclarations?: Array<{ name: string }> }> = []): string[] {
  return tools.flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name));
}

const wire: Wire = {
  parse(req: RawRequest, seq: number): ModelInput | null {
    if (req.method !== 'POST' || !/:(stream)?[gG]enerateContent/.test(req.url)) return null;
    const body = JSON.parse(req.body);
    return { seq, at: Date.now(), path: req.url, tools: toolNames(body.tools), parts: parts(body), raw: body };
  },
  reply(res: http.ServerResponse, turn: Turn, input: ModelInput): void {
    const config = (input.raw as { generationConfig?: Record<string, unknown> }).generationConfig ?? {};
    const wantsJson = config.responseMimeType === 'application/json' || 'responseJsonSchema' in config || 'responseSchema' in config;
    const gparts: GPart[] = [];
    if (wantsJson && !turn.calls?.length) gparts.push({ text: JSON.stringify({ reasoning: 'the turn is over', next_speaker: 'user', model_choice: 'flash' }) });
    else {
      if (turn.text) gparts.push({ text: turn.text });
      for (const c of turn.calls ?? []) gparts.push({ functionCall: { name: c.name, args: c.input } });
    }
    const chunk = {
      candidates: [{ content: { role: 'model', parts: gparts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      modelVersion: 'gemini-fake',
    };
    if (input.path.includes(':streamGenerateContent')) sse(res, [{ data: chunk }]);
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chunk));
  },
  other(req: RawRequest, res: http.ServerResponse): void {
    if (req.url.includes(':countTokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalTokens": 100}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: `fake endpoint: no ${req.method} ${req.url}`, status: 'NOT_FOUND' } }));
  },
};

export function startGemini(script: Script): Promise<Endpoint> {
  return startEndpoint(wire, script);
}

/** Model calls of the conversation itself (not the JSON side checks). */
export function isConversation(input: ModelInput): boolean {
  return input.tools.length > 0;
}

/**
 * ~/.gemini/settings.json with bgbash (as an MCP server, or hooks when given)
 * and the project folder trusted; `trusted: false` leaves it untrusted.
 */
export function prepareGemini(ws: Workspace, endpoint: Endpoint, opts: { trusted?: boolean; settings?: Record<string, unknown>; mcp?: boolean; env?: Record<string, string> } = {}): Record<string, string> {
  const dir = path.join(ws.home, '.gemini');
  ws.write(path.join(dir, 'settings.json'), {
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: true } },
    general: { disableAutoUpdate: true, disableUpdateNag: true },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    ui: { hideTips: true, hideBanner: true },
    ...((opts.mcp ?? true) ? { mcpServers: { bgbash: { ...ws.server, timeout: 120000, trust: true } } } : {}),
    ...opts.settings,
  });
  if (opts.trusted ?? true) ws.write(path.join(dir, 'trustedFolders.json'), { [ws.project]: 'TRUST_FOLDER' });
  return { ...ws.env, GEMINI_API_KEY: 'fake-key', GOOGLE_GEMINI_BASE_URL: endpoint.url, GEMINI_CLI_NO_RELAUNCH: 'true', ...opts.env };
}

/** `gemini -p PROMPT` (tools approved: --yolo). */
export function geminiPrint(bin: string, ws: Workspace, env: Record<string, string>, prompt: string, extraArgs: string[] = []): Run {
  return runCli(bin, ['-p', prompt, '-m', 'gemini-2.5-flash', '--yolo', ...extraArgs], { env, cwd: ws.project, stdin: '' });
}
