/**
 * The commands `bgbash install` writes into agents' configs. The MCP server
 * starts with `npx -y bgbash-mcp serve` (nothing to install first; once per
 * session). What runs often — hooks after every tool call, Claude Code's
 * status line, tmux's status bar — runs by absolute path instead: npx costs
 * ~380 ms a call (issue 23). Hooks run the small hook client
 * (plugins/claude-code/hooks/bgbash-hook.mjs), which starts the CLI only when
 * there is something to deliver.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import { findExecutable } from '../../run/runners.js';

/** The package on npm; `npx -y bgbash-mcp serve` is the one-line MCP config, with nothing installed. */
export const PACKAGE = 'bgbash-mcp';

export const HOOK_CLIENT = path.join(PACKAGE_ROOT, 'plugins', 'claude-code', 'hooks', 'bgbash-hook.mjs');
export const CLI_MAIN = path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');

export interface Launcher {
  /** The MCP server entry. */
  command: string;
  args: string[];
  /** The hook command for an agent (doctor and --remove know it by agent-configs.ts isOurHook: keep the two in step). */
  hook: (agent: string) => string;
  /** A shell command line running `bgbash <args>` from this install. */
  cli: (args: string) => string;
}

/** A path as one shell word (double quotes: also read right by tmux and by agents that split commands themselves). */
export function shellWord(p: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(p) ? p : `"${p.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** `node` when it is on PATH (the agent's own Node, updated with it), else this Node by its path. */
function node(): string {
  return findExecutable('node') ? 'node' : shellWord(process.execPath);
}

/** --local: the MCP server too starts from this checkout (for working on bgbash itself). */
export function launcher(local: boolean): Launcher {
  const n = node();
  return {
    command: local ? process.execPath : 'npx',
    args: local ? [CLI_MAIN, 'serve'] : ['-y', PACKAGE, 'serve'],
    hook: (agent) => `${n} ${shellWord(HOOK_CLIENT)} hook ${agent}`,
    cli: (args) => `${n} ${shellWord(CLI_MAIN)} ${args}`,
  };
}
