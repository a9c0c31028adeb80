/**
 * opencode, offline: an `@ai-sdk/openai-compatible` provider at the fake
 * Chat Completions endpoint, models.dev fetching off, its config and data in
 * the workspace's HOME. bgbash is a local MCP server; the plugin, when a
 * scenario wants it, is plugins/opencode/bgbash.js, named in opencode.json's
 * `plugin` list by its file URL.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Endpoint } from './http.js';
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

  return {
    ...ws.env,
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

