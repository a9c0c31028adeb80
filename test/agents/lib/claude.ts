/**
 * Claude Code, offline: `ANTHROPIC_BASE_URL` points at the fake Messages
 * endpoint, nonessential traffic is off, and its config (in the workspace's
 * HOME) has onboarding, the folder's trust dialog and the API key already
 * accepted, so neither print mode nor the interactive app asks anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../helpers/wait.js';
import type { Endpoint } from './http.js';
import { PrivateTmux, shellQuote } from './tmux.js';
import { runCli, type Run } from './run.js';
import type { Workspace } from './workspace.js';
import { PLUGINS } from './workspace.js';

const API_KEY = 'sk-ant-api03-bgbash-fake-key-for-tests-0123456789abcdef';

export interface ClaudeOptions {
  /** Load plugins/claude-code as a plugin (tools become mcp__plugin_bgbash_bgbash__*). */
  plugin?: boolean;
  /** Plain MCP config (tools mcp__bgbash__*); default when no plugin. */
  mcp?: boolean;
  /** ENABLE_TOOL_SEARCH: off puts MCP tools in the first request. */
  toolSearch?: boolean;
  /** Extra hooks for settings.json. */
  hooks?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** Writes Claude Code's config into the workspace and returns the CLI's arguments and environment. */
export function prepareClaude(ws: Workspace, endpoint: Endpoint, opts: ClaudeOptions = {}): { args: string[]; env: Record<string, string> } {
  ws.write(path.join(ws.home, '.claude.json'), {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: '2.1.330',
    numStartups: 5,
    customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
    bypassPermissionsModeAccepted: true,
    theme: 'dark',
    projects: { [ws.project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] } },
  });
  ws.write(path.join(ws.home, '.claude', 'settings.json'), {
    permissions: { allow: ['mcp__bgbash__*', 'mcp__plugin_bgbash_bgbash__*', 'Bash(sleep:*)'] },
    // A project .mcp.json (`bgbash install claude-code --project`) is approved, as its user would:
    // 2.1.197 otherwise asks "New MCP server found in this project" even under --strict-mcp-config.
    enabledMcpjsonServers: ['bgbash'],
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const args: string[] = ['--model', 'claude-sonnet-4-5'];
  if (opts.mcp ?? !opts.plugin) {
    const file = ws.write('mcp.json', { mcpServers: { bgbash: ws.server } });
    args.push('--mcp-config', file, '--strict-mcp-config');
  }
  if (opts.plugin) args.push('--plugin-dir', path.join(PLUGINS, 'claude-code'));
  const env = {
    ...ws.env,
    ANTHROPIC_BASE_URL: endpoint.url,
    ANTHROPIC_API_KEY: API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ENABLE_TOOL_SEARCH: opts.toolSearch ? 'true' : 'false',
    // Connect MCP servers before the first model call (2.1.197 otherwise may not wait), with room for a loaded machine.
    MCP_CONNECTION_NONBLOCKING: 'false',
    MCP_TIMEOUT: '120000',
    ...opts.env,
  };
  return { args, env };
}

/** `claude -p PROMPT --output-format json`. */
export function claudePrint(bin: string, ws: Workspace, endpoint: Endpoint, prompt: string, opts: ClaudeOptions & { extraArgs?: string[]; timeoutMs?: number } = {}): Run {
  const { args, env } = prepareClaude(ws, endpoint, opts);
  return runCli(bin, ['-p', prompt, '--output-format', 'json', ...args, ...(opts.extraArgs ?? [])], { env, cwd: ws.project, timeoutMs: opts.timeoutMs });
}

/**
 * `claude -p --input-format stream-json`: one print-mode session fed user
 * messages on stdin as the test decides (`send`), ended by `end()`.
 */
export function claudeStream(bin: string, ws: Workspace, endpoint: Endpoint, opts: ClaudeOptions = {}): Run & { send(text: string): void; end(): void } {
  const { args, env } = prepareClaude(ws, endpoint, opts);
  const run = runCli(bin, ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', ...args], { env, cwd: ws.project });
  return {
    ...run,
    send: (text) => run.child.stdin!.write(JSON.stringify({ type: 'user', message: { role: 'user', content: text } }) + '\n'),
    end: () => run.child.stdin!.end(),
  };
}

/** The interactive app in a private tmux server started with `env -i`, so nothing of this environment leaks in. */
export class ClaudeTui {
  readonly tmux: PrivateTmux;
  constructor(
    readonly bin: string,
    readonly ws: Workspace,
    endpoint: Endpoint,
    opts: ClaudeOptions & { extraArgs?: string[] } = {},
  ) {
    const { args, env } = prepareClaude(ws, endpoint, opts);
    this.tmux = new PrivateTmux();
    const envArgs = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`)).join(' ');
    const cmd = `cd ${shellQuote(ws.project)} && exec env -i ${envArgs} ${shellQuote(bin)} ${[...args, ...(opts.extraArgs ?? [])].map(shellQuote).join(' ')}`;
    this.tmux.start(cmd, { cols: 120, rows: 40 });
  }

  /** Waits for the prompt box, types `text` and presses Enter. */
  async prompt(text: string): Promise<void> {
    await this.tmux.waitScreen((s) => /❯|>\s/.test(s) && !/Loading|Starting/.test(s), 'Claude Code prompt', 60_000);
    this.tmux.keys('-l', text);
    await waitFor(() => this.tmux.screen().includes(text.slice(0, 30)), 'typed prompt on screen', 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; the screen:\n${this.tmux.screen()}`);
    });
    this.tmux.keys('Enter');
  }

  screen(): string {
    return this.tmux.screen();
  }

  kill(): void {
    this.tmux.kill();
  }
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}
