/**
 * Where each agent keeps the config `bgbash install` writes, and how to read
 * the bgbash entry back out of it. install writes these files; doctor reads
 * them. Every file here is someone's hand-edited config: read defensively.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { PACKAGE_ROOT } from '../package-root.js';

export type Scope = 'project' | 'user';

export interface AgentConfig {
  /** How people call it (doctor's lines). */
  title: string;
  /** Executables that mean the agent is installed. */
  bins: string[];
  /** Scopes install can write, the default first. */
  scopes: Scope[];
  /** The file holding the MCP server entry. */
  mcpFile(scope: Scope): string;
  /** The file holding the hooks, when the agent has them. */
  hooksFile?(scope: Scope): string;
  /** The bgbash entry of a parsed mcpFile, as command + args (undefined when there is none). */
  entry(root: unknown): Launch | undefined;
}

export interface Launch {
  command: string;
  args: string[];
}

const home = (): string => os.homedir();
const xdgConfig = (): string => process.env.XDG_CONFIG_HOME || path.join(home(), '.config');
const codexHome = (): string => process.env.CODEX_HOME || path.join(home(), '.codex');

function at(root: unknown, ...keys: string[]): unknown {
  let cur = root;
  for (const k of keys) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);

/** `{command: "x", args: [...]}` (Claude Code, Cursor, Gemini, VS Code, Codex). */
function commandArgs(entry: unknown): Launch | undefined {
  const command = at(entry, 'command');
  if (entry === undefined) return undefined;
  return { command: typeof command === 'string' ? command : '', args: strings(at(entry, 'args')) ?? [] };
}

export const AGENTS: Record<string, AgentConfig> = {
  'claude-code': {
    title: 'Claude Code',
    bins: ['claude'],
    scopes: ['project', 'user'],
    mcpFile: (s) => (s === 'project' ? path.resolve('.mcp.json') : path.join(home(), '.claude.json')),
    hooksFile: (s) => (s === 'project' ? path.resolve('.claude', 'settings.json') : path.join(home(), '.claude', 'settings.json')),
    entry: (root) => commandArgs(at(root, 'mcpServers', 'bgbash')),
  },
  opencode: {
    title: 'opencode',
    bins: ['opencode'],
    scopes: ['project', 'user'],
    mcpFile: (s) => path.join(s === 'project' ? path.resolve('.') : path.join(xdgConfig(), 'opencode'), 'opencode.json'),
    entry: (root) => {
      const e = at(root, 'mcp', 'bgbash');
      if (e === undefined) return undefined;
      const [command = '', ...args] = strings(at(e, 'command')) ?? [];
      return { command, args };
    },
  },
  codex: {
    title: 'Codex',
    bins: ['codex'],
    scopes: ['user', 'project'],
    mcpFile: (s) => path.join(s === 'user' ? codexHome() : path.resolve('.codex'), 'config.toml'),
    hooksFile: (s) => path.join(s === 'user' ? codexHome() : path.resolve('.codex'), 'hooks.json'),
    entry: (root) => commandArgs(at(root, 'mcp_servers', 'bgbash')),
  },
  'gemini-cli': {
    title: 'Gemini CLI',
    bins: ['gemini'],
    scopes: ['project', 'user'],
    mcpFile: (s) => (s === 'project' ? path.resolve('.gemini', 'settings.json') : path.join(home(), '.gemini', 'settings.json')),
    hooksFile: (s) => (s === 'project' ? path.resolve('.gemini', 'settings.json') : path.join(home(), '.gemini', 'settings.json')),
    entry: (root) => commandArgs(at(root, 'mcpServers', 'bgbash')),
  },
  cursor: {
    title: 'Cursor',
    bins: ['cursor', 'cursor-agent'],
    scopes: ['project', 'user'],
    mcpFile: (s) => (s === 'project' ? path.resolve('.cursor', 'mcp.json') : path.join(home(), '.cursor', 'mcp.json')),
    entry: (root) => commandArgs(at(root, 'mcpServers', 'bgbash')),
  },
  vscode: {
    title: 'VS Code',
    bins: ['code'],
    scopes: ['project'],
    mcpFile: () => path.resolve('.vscode', 'mcp.json'),
    entry: (root) => commandArgs(at(root, 'servers', 'bgbash')),
  },
};

/** A config file's content: null when it does not exist; throws with the reason when it cannot be read or parsed. */
export function readConfig(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read it: ${(err as Error).message}`);
  }
  try {
    return file.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
  } catch (err) {
    throw new Error(`it is not valid ${file.endsWith('.toml') ? 'TOML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** One shell word as bgbash install writes it: bare, or in double quotes with backslash escapes inside. */
const WORD = String.raw`(?:[^\s"]+|"(?:[^"\\]|\\.)*")`;
const unquote = (w: string): string => (w.startsWith('"') ? w.slice(1, -1).replace(/\\(.)/g, '$1') : w);

/** `command` is `<bgbash> <tail>` as some `bgbash install` wrote it: npx -y bgbash-mcp, bgbash, or node + a bgbash CLI file (`files`: also these). */
function ranByBgbash(command: string, tail: string, files: RegExp | null = null): boolean {
  const m = new RegExp(`^(?:npx -y bgbash-mcp(?:@\\S+)?|bgbash|${WORD} (${WORD})) ${tail}$`).exec(command);
  if (!m) return false;
  if (m[1] === undefined) return true;
  const file = unquote(m[1]);
  // This install's own CLI file wherever it lives (a checkout need not have bgbash in its path), or another bgbash's.
  return file === path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js') || /bgbash.*[\\/]dist[\\/]cli[\\/]main\.js$/.test(file) || !!files?.test(file);
}

/**
 * A hook command some `bgbash install` wrote for `agent`: `npx -y bgbash-mcp hook <agent>`, `bgbash hook <agent>`,
 * `bgbash-hook hook <agent>`, or node + bgbash's hook client or CLI file by path; each maybe with ` --wake`.
 * Install, --remove and doctor all go by this, so a hook of the user's own that runs `hook <agent>` is never touched.
 */
export function isOurHook(command: string, agent: string): boolean {
  const tail = `hook ${agent.replace(/[^A-Za-z0-9]/g, '\\$&')}(?: --wake)?`;
  return ranByBgbash(command, tail, /(^|[\\/])bgbash-hook\.mjs$/) || new RegExp(`^bgbash-hook ${tail}$`).test(command);
}

/** Claude Code's status line as `bgbash install` writes it (`… strip --status-line`), not a user's command that runs it too. */
export function isOurStatusLine(command: string): boolean {
  return ranByBgbash(command, 'strip --status-line');
}

/** Every hook command in a parsed hooks file (`hooks.<Event>[].hooks[].command`). */
export function hookCommands(root: unknown): string[] {
  const hooks = at(root, 'hooks');
  if (!hooks || typeof hooks !== 'object') return [];
  const out: string[] = [];
  for (const groups of Object.values(hooks)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      const list = at(g, 'hooks');
      if (!Array.isArray(list)) continue;
      for (const h of list) if (typeof at(h, 'command') === 'string') out.push(at(h, 'command') as string);
    }
  }
  return out;
}
