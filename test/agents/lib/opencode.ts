/**
 * opencode, offline: an `@ai-sdk/openai-compatible` provider at the fake
 * Chat Completions endpoint, models.dev fetching off, its config and data in
 * the workspace's HOME. bgbash is a local MCP server; the plugin, when a
 * scenario wants it, is plugins/opencode/bgbash.js, named in opencode.json's
 * `plugin` list by its file URL; what opencode installs before loading a
 * plugin comes from the cache (opencode-deps.ts), and npm is set offline so
 * a miss fails at once instead of waiting on the network.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Endpoint } from './http.js';
import { waitFor } from '../../helpers/wait.js';
import { seedPluginDeps } from './opencode-deps.js';
import { runCli, type Run } from './run.js';
import { PLUGINS, type Workspace } from './workspace.js';

export function prepareOpencode(ws: Workspace, endpoint: Endpoint, opts: { plugin?: boolean; env?: Record<string, string> } = {}): Record<string, string> {
  ws.write(path.join(ws.project, 'opencode.json'), {
    $schema: 'https://opencode.ai/config.json',
    model: 'fake/fake-model',
    small_model: 'fake/fake-model',
    autoupdate: false,
    share: 'disabled',
    permission: { edit: 'allow', bash: 'allow', webfetch: 'allow' },
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake',
        options: { baseURL: `${endpoint.url}/v1`, apiKey: 'fake-key' },
        models: { 'fake-model': { name: 'Fake model', tool_call: true, limit: { context: 200000, output: 8000 } } },
      },
    },
    mcp: { bgbash: { type: 'local', command: [ws.server.command, ...ws.server.args], enabled: true } },
    // The shipped plugin file, named by URL: a .opencode/ folder would make opencode install
    // @opencode-ai/plugin into it at start, which waits on the network.
    ...(opts.plugin ? { plugin: [pathToFileURL(path.join(PLUGINS, 'opencode', 'bgbash.js')).href] } : {}),
  });

  if (opts.plugin) seedPluginDeps(path.join(ws.home, '.config', 'opencode'));
  return {
    ...ws.env,
    ...(opts.plugin ? { npm_config_offline: 'true' } : {}),
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_SHARE: '1',
    ...opts.env,
  };
}

/** `opencode run PROMPT`. */
export function opencodeRun(bin: string, ws: Workspace, env: Record<string, string>, prompt: string, extraArgs: string[] = []): Run {
  return runCli(bin, ['run', ...extraArgs, prompt], { env, cwd: ws.project, stdin: '' });
}


/**
 * `opencode serve`: the headless server, which keeps a session alive after its
 * turn ends (`opencode run` exits then), driven through its HTTP API as its
 * own clients do. Sessions live in the workspace's project folder.
 */
export class OpencodeServer {
  private constructor(
    readonly run: Run,
    readonly url: string,
    private readonly directory: string,
  ) {}

  static async start(bin: string, ws: Workspace, env: Record<string, string>): Promise<OpencodeServer> {
    // No deadline of its own: the test ends it with stop().
    const run = runCli(bin, ['serve', '--port', '0', '--hostname', '127.0.0.1', '--print-logs'], { env, cwd: ws.project, stdin: '', timeoutMs: 30 * 60_000 });
    run.done.catch(() => undefined);
    const url = await waitFor(() => /opencode server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout() + run.stderr())?.[1], 'opencode serve to listen', 120_000, 100);
    return new OpencodeServer(run, url, ws.project);
  }

  private async api(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${route}${route.includes('?') ? '&' : '?'}directory=${encodeURIComponent(this.directory)}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`opencode ${method} ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }

  async newSession(): Promise<string> {
    return ((await this.api('POST', '/session', {})) as { id: string }).id;
  }

  /** Sends the user's prompt and returns at once (the turn runs on). */
  async prompt(session: string, text: string): Promise<void> {
    await this.api('POST', `/session/${session}/prompt_async`, { parts: [{ type: 'text', text }] });
  }

  /** Whether the session is running a turn (opencode lists only sessions that are not idle). */
  async busy(session: string): Promise<boolean> {
    const all = (await this.api('GET', '/session/status')) as Record<string, { type: string }>;
    return (all[session]?.type ?? 'idle') !== 'idle';
  }

  /** The texts of the session's messages, in order, with their roles. */
  async messages(session: string): Promise<Array<{ role: string; text: string }>> {
    const list = (await this.api('GET', `/session/${session}/message`)) as Array<{ info: { role: string }; parts: Array<{ type: string; text?: string }> }>;
    return list.map((m) => ({ role: m.info.role, text: m.parts.map((p) => p.text ?? '').join('\n') }));
  }

  stop(): void {
    this.run.kill();
  }
}
