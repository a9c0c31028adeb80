/**
 * Codex CLI, offline: its own CODEX_HOME whose config.toml names a model
 * provider at the fake Responses endpoint (`wire_api = "responses"`), and
 * bgbash as an MCP server. Hooks (`[features] hooks = true`) come from the
 * CODEX_HOME's hooks.json when a scenario installs them.
 */
import path from 'node:path';
import type { Endpoint } from './http.js';
import { runCli, type Run } from './run.js';
import type { Workspace } from './workspace.js';

export function codexHome(ws: Workspace): string {
  return path.join(ws.home, '.codex');
}

/** config.toml: the fake provider, plus `extra` TOML (e.g. what `bgbash install codex` wrote is kept when `keep` is set). */
export function prepareCodex(ws: Workspace, endpoint: Endpoint, opts: { mcp?: boolean; extra?: string } = {}): Record<string, string> {
  const toml = [
    'model = "gpt-fake"',
    'model_provider = "fake"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    '',
    '[model_providers.fake]',
    'name = "fake"',
    `base_url = "${endpoint.url}/v1"`,
    'wire_api = "responses"',
    'env_key = "FAKE_OPENAI_KEY"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ];
  if (opts.mcp ?? true) {
    toml.push('[mcp_servers.bgbash]', `command = ${JSON.stringify(ws.server.command)}`, `args = ${JSON.stringify(ws.server.args)}`, 'startup_timeout_sec = 120', 'tool_timeout_sec = 120', '');
  }
  if (opts.extra) toml.push(opts.extra);
  ws.write(path.join(codexHome(ws), 'config.toml'), toml.join('\n'));
  return { ...ws.env, CODEX_HOME: codexHome(ws), FAKE_OPENAI_KEY: 'fake-key', RUST_LOG: 'warn' };
}

/** `codex exec --json PROMPT`. */
export function codexExec(bin: string, ws: Workspace, env: Record<string, string>, prompt: string, extraArgs: string[] = []): Run {
  return runCli(bin, ['exec', '--json', '--skip-git-repo-check', ...extraArgs, prompt], { env, cwd: ws.project, stdin: '' });
}
