/**
 * What `bgbash install <agent>` writes into each agent's config, and what
 * `bgbash install --remove <agent>` takes out again. Existing entries are
 * never replaced; only what bgbash wrote is removed; a file bgbash cannot
 * parse is left alone with a message saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import { AGENTS, isOurHook, type Scope } from '../agent-configs.js';
import { addEntry, addHooks, readJson, removeHooks, updateHooks, writeFile, writeJson, type Change } from '../config-merge.js';
import { CliError } from '../context.js';
import { addStatusLine, removeStatusLine } from './claude-status.js';
import { codexBlock, hasBgbashTable, removeCodexBlock } from './codex-toml.js';
import { PACKAGE, type Launcher } from './launcher.js';
import { addCommandFile, removeCommandFile } from './slash-commands.js';

const PLUGINS = path.join(PACKAGE_ROOT, 'plugins');

const isChange = (what: string): boolean => /^(added|removed|updated)\b/.test(what);

/** Edits a JSON config; one that cannot be read, parsed or edited is left alone, and the change says why. */
export function jsonChange(file: string, dry: boolean, edit: (root: Record<string, unknown>) => string[]): Change[] {
  let root: Record<string, unknown>;
  let whats: string[];
  try {
    root = readJson(file);
    whats = edit(root);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return [{ file, what: `left it alone: ${err.message}`, changed: false, problem: true }];
  }
  if (whats.some(isChange)) writeJson(file, root, dry);
  return whats.map((what) => ({ file, what, changed: isChange(what) }));
}

function entryNote(added: boolean, key: string): string {
  return added ? `added ${key}` : `left ${key} as it was (already there)`;
}

function hookNotes(root: Record<string, unknown>, agent: string, l: Launcher, events: Record<string, Record<string, unknown>>): string[] {
  const updated = updateHooks(root, agent, l.hook(agent));
  const added = addHooks(root, events, (c) => isOurHook(c, agent) && !c.endsWith(' --wake'));
  const out: string[] = [];
  if (updated.length) out.push(`updated the bgbash hook in ${updated.map((e) => `hooks.${e}`).join(', ')} (now the hook client, no npx)`);
  out.push(added.length ? `added the bgbash hook to ${added.map((e) => `hooks.${e}`).join(', ')}` : 'left hooks as they were (bgbash hook already there)');
  return out;
}

/** An MCP entry bgbash wrote: `npx -y bgbash-mcp serve`, `bgbash serve`, or node + a bgbash CLI file. */
export function isOurEntry(entry: unknown): boolean {
  if (!entry || typeof entry !== 'object') return false;
  const e = entry as { command?: unknown; args?: unknown };
  const argv = [e.command, ...(Array.isArray(e.args) ? e.args : [])].concat(Array.isArray(e.command) ? e.command : []).filter((a): a is string => typeof a === 'string');
  return argv.includes('serve') && argv.some((a) => a === PACKAGE || a.startsWith(`${PACKAGE}@`) || /(^|\/)bgbash$/.test(a) || /bgbash.*\/dist\/cli\/main\.js$/.test(a));
}

function removeEntry(root: Record<string, unknown>, section: string, key: string): string[] {
  const obj = root[section];
  if (!obj || typeof obj !== 'object' || Array.isArray(obj) || !(key in obj)) return [];
  const entry = (obj as Record<string, unknown>)[key];
  if (!isOurEntry(entry)) return [`left ${section}.${key} as it was (it does not start bgbash's own command)`];
  delete (obj as Record<string, unknown>)[key];
  if (Object.keys(obj).length === 0) delete root[section];
  return [`removed ${section}.${key}`];
}

function removedHooks(root: Record<string, unknown>, agent: string): string[] {
  const events = removeHooks(root, agent);
  return events.length ? [`removed the bgbash hook from ${events.map((e) => `hooks.${e}`).join(', ')}`] : [];
}

export interface Target {
  install: (scope: Scope, dry: boolean, l: Launcher) => Change[];
  remove: (scope: Scope, dry: boolean) => Change[];
  after?: string;
}

export const INSTALLERS: Record<string, Target> = {
  'claude-code': {
    install: (scope, dry, l) => {
      const mcpFile = AGENTS['claude-code'].mcpFile(scope);
      const settings = AGENTS['claude-code'].hooksFile!(scope);
      const hook = { type: 'command', command: l.hook('claude-code'), timeout: 10 };
      return [
        ...jsonChange(mcpFile, dry, (root) => [entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args }), 'mcpServers.bgbash')]),
        ...jsonChange(settings, dry, (root) => {
          const notes = hookNotes(root, 'claude-code', l, { UserPromptSubmit: { hooks: [hook] }, PostToolUse: { matcher: '*', hooks: [hook] }, Stop: { hooks: [hook] } });
          // Runs in the background while Claude is idle and wakes it with the next notice (never in claude -p).
          const wake = { type: 'command', command: `${l.hook('claude-code')} --wake`, asyncRewake: true, timeout: 86400 };
          const woke = addHooks(root, { Stop: { hooks: [wake] } }, (c) => isOurHook(c, 'claude-code') && c.endsWith(' --wake'));
          return [...notes, woke.length ? 'added the bgbash wake hook (asyncRewake) to hooks.Stop' : 'left the wake hook as it was (already there)', ...addStatusLine(root, l)];
        }),
      ];
    },
    remove: (scope, dry) => [
      ...jsonChange(AGENTS['claude-code'].mcpFile(scope), dry, (root) => removeEntry(root, 'mcpServers', 'bgbash')),
      ...jsonChange(AGENTS['claude-code'].hooksFile!(scope), dry, (root) => [...removedHooks(root, 'claude-code'), ...removeStatusLine(root)]),
    ],
  },
  opencode: {
    install: (scope, dry, l) => {
      const cfg = AGENTS.opencode.mcpFile(scope);
      const base = path.join(path.dirname(cfg), scope === 'project' ? '.opencode' : '');
      const pluginFile = path.join(base, 'plugins', 'bgbash.js');
      const changes = jsonChange(cfg, dry, (root) => {
        root.$schema ??= 'https://opencode.ai/config.json';
        return [entryNote(addEntry(root, 'mcp', 'bgbash', { type: 'local', command: [l.command, ...l.args], enabled: true }), 'mcp.bgbash')];
      });
      const exists = fs.existsSync(pluginFile);
      if (!exists) writeFile(pluginFile, fs.readFileSync(path.join(PLUGINS, 'opencode', 'bgbash.js'), 'utf8'), dry);
      changes.push({ file: pluginFile, what: exists ? 'left the plugin as it was (already there)' : 'added the bgbash plugin', changed: !exists });
      changes.push(addCommandFile('opencode', path.join(base, 'command', 'bgbash-tasks.md'), l, dry));
      return changes;
    },
    remove: (scope, dry) => {
      const cfg = AGENTS.opencode.mcpFile(scope);
      const base = path.join(path.dirname(cfg), scope === 'project' ? '.opencode' : '');
      const out = fs.existsSync(cfg) ? jsonChange(cfg, dry, (root) => removeEntry(root, 'mcp', 'bgbash')) : [];
      const pluginFile = path.join(base, 'plugins', 'bgbash.js');
      if (fs.existsSync(pluginFile)) {
        const ours = fs.readFileSync(pluginFile, 'utf8') === fs.readFileSync(path.join(PLUGINS, 'opencode', 'bgbash.js'), 'utf8');
        if (ours && !dry) fs.rmSync(pluginFile);
        out.push({ file: pluginFile, what: ours ? 'removed the bgbash plugin' : 'left the plugin as it was (changed since bgbash wrote it)', changed: ours });
      }
      const cmd = removeCommandFile(path.join(base, 'command', 'bgbash-tasks.md'), dry);
      return cmd ? [...out, cmd] : out;
    },
  },
  codex: {
    install: (scope, dry, l) => {
      const file = AGENTS.codex.mcpFile(scope);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const changes: Change[] = [];
      if (hasBgbashTable(text)) {
        changes.push({ file, what: 'left [mcp_servers.bgbash] as it was (already there)', changed: false });
      } else {
        writeFile(file, (text && !text.endsWith('\n') ? text + '\n' : text) + codexBlock(l), dry);
        changes.push({ file, what: 'added [mcp_servers.bgbash]', changed: true });
      }
      // Hooks (Codex ≥ 0.124 runs them by default) bring notices in after each tool call, with each prompt, and at Stop.
      const hook = { type: 'command', command: l.hook('codex'), timeout: 10 };
      changes.push(
        ...jsonChange(AGENTS.codex.hooksFile!(scope), dry, (root) =>
          hookNotes(root, 'codex', l, { PostToolUse: { matcher: '.*', hooks: [hook] }, UserPromptSubmit: { hooks: [hook] }, Stop: { hooks: [hook] } }),
        ),
      );
      return changes;
    },
    remove: (scope, dry) => {
      const file = AGENTS.codex.mcpFile(scope);
      const out: Change[] = [];
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      // Only the block install wrote; a hand-written entry, and everything around the block, stays.
      const removal = removeCodexBlock(text);
      if ('text' in removal) {
        writeFile(file, removal.text, dry);
        out.push({ file, what: 'removed [mcp_servers.bgbash]', changed: true });
      } else if ('problem' in removal) {
        out.push({ file, what: `left it alone: ${removal.problem}`, changed: false, problem: true });
      } else if (hasBgbashTable(text)) {
        out.push({ file, what: 'left [mcp_servers.bgbash] as it was (not written by bgbash install)', changed: false });
      }
      const hooks = AGENTS.codex.hooksFile!(scope);
      return fs.existsSync(hooks) ? [...out, ...jsonChange(hooks, dry, (root) => removedHooks(root, 'codex'))] : out;
    },
    after: 'Codex runs new hooks only once you trust them: open /hooks in Codex and trust the bgbash ones (for a one-off `codex exec`, --dangerously-bypass-hook-trust skips the review).',
  },
  'gemini-cli': {
    install: (scope, dry, l) => {
      const file = AGENTS['gemini-cli'].mcpFile(scope);
      const hook = { name: 'bgbash-notices', type: 'command', command: l.hook('gemini-cli'), timeout: 10000 };
      const changes = jsonChange(file, dry, (root) => {
        const server = entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args, timeout: 120000 }), 'mcpServers.bgbash');
        return [server, ...hookNotes(root, 'gemini-cli', l, { BeforeAgent: { hooks: [hook] }, AfterTool: { matcher: '.*', hooks: [hook] } })];
      });
      changes.push(addCommandFile('gemini-cli', path.join(path.dirname(file), 'commands', 'bgbash', 'tasks.toml'), l, dry));
      return changes;
    },
    remove: (scope, dry) => {
      const file = AGENTS['gemini-cli'].mcpFile(scope);
      const out = fs.existsSync(file) ? jsonChange(file, dry, (root) => [...removeEntry(root, 'mcpServers', 'bgbash'), ...removedHooks(root, 'gemini-cli')]) : [];
      const cmd = removeCommandFile(path.join(path.dirname(file), 'commands', 'bgbash', 'tasks.toml'), dry);
      return cmd ? [...out, cmd] : out;
    },
  },
  cursor: {
    install: (scope, dry, l) =>
      jsonChange(AGENTS.cursor.mcpFile(scope), dry, (root) => [entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args }), 'mcpServers.bgbash')]),
    remove: (scope, dry) => (fs.existsSync(AGENTS.cursor.mcpFile(scope)) ? jsonChange(AGENTS.cursor.mcpFile(scope), dry, (root) => removeEntry(root, 'mcpServers', 'bgbash')) : []),
  },
  vscode: {
    install: (scope, dry, l) =>
      jsonChange(AGENTS.vscode.mcpFile(scope), dry, (root) => [entryNote(addEntry(root, 'servers', 'bgbash', { type: 'stdio', command: l.command, args: l.args }), 'servers.bgbash')]),
    remove: (scope, dry) => (fs.existsSync(AGENTS.vscode.mcpFile(scope)) ? jsonChange(AGENTS.vscode.mcpFile(scope), dry, (root) => removeEntry(root, 'servers', 'bgbash')) : []),
  },
};
