/**
 * `bgbash install <agent> [--project|--user] [--dry-run]`: writes or merges
 * the config an agent reads so it starts `npx -y bgbash-mcp serve` (and, where the agent
 * has them, the hooks or plugin that bring completion notices into the
 * conversation). Existing entries are never replaced; every change is printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import { findExecutable } from '../../run/runners.js';
import { AGENTS, type Scope } from '../agent-configs.js';
import { addEntry, addHooks, readJson, writeFile, writeJson, type Change } from '../config-merge.js';
import { CliError, type Cli } from '../context.js';
import { type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<agent> [--project | --user] [--dry-run] [--local]',
  description: "Adds bgbash to an agent's config (claude-code, opencode, codex, gemini-cli, cursor, vscode), with the hooks or\nplugin that bring completion notices into the conversation. Never replaces an existing entry; prints every change.",
  options: {
    project: { type: 'boolean', help: "This project's config (the default where the agent has one)" },
    user: { type: 'boolean', help: 'Your user config' },
    'dry-run': { type: 'boolean', help: 'Print what would change and write nothing' },
    local: { type: 'boolean', help: "Start this checkout's CLI (node + path) instead of `npx -y bgbash-mcp` (for working on bgbash)" },
  },
  maxArgs: 1,
  repair: false,
  examples: ['bgbash install claude-code', 'bgbash install codex --user --dry-run'],
};

const PLUGINS = path.join(PACKAGE_ROOT, 'plugins');

/** The package on npm; `npx -y bgbash-mcp serve` is the one-line MCP config, with nothing installed. */
export const PACKAGE = 'bgbash-mcp';

interface Launcher {
  command: string;
  args: string[];
  hook: (agent: string) => string;
}

/**
 * How the agent should start bgbash: `npx -y bgbash-mcp serve`. Hooks run on
 * every tool call, so they call `bgbash` directly when it is on PATH (npx
 * costs about a second of CPU each time) and npx otherwise. --local writes
 * this checkout's node and CLI instead (for working on bgbash itself).
 */
function launcher(local: boolean): Launcher {
  if (local) {
    const cli = path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
    return { command: process.execPath, args: [cli, 'serve'], hook: (a) => `"${process.execPath}" "${cli}" hook ${a}` };
  }
  const direct = findExecutable('bgbash') !== null;
  return { command: 'npx', args: ['-y', PACKAGE, 'serve'], hook: (a) => (direct ? `bgbash hook ${a}` : `npx -y ${PACKAGE} hook ${a}`) };
}

type Installer = (scope: Scope, dry: boolean, l: Launcher) => Change[];

function jsonChange(file: string, dry: boolean, edit: (root: Record<string, unknown>) => string[]): Change[] {
  const root = readJson(file);
  const whats = edit(root);
  const changed = whats.some((w) => w.startsWith('added'));
  if (changed) writeJson(file, root, dry);
  return whats.map((what) => ({ file, what, changed: what.startsWith('added') }));
}

function entryNote(added: boolean, key: string): string {
  return added ? `added ${key}` : `left ${key} as it was (already there)`;
}

const INSTALLERS: Record<string, { install: Installer; after?: string }> = {
  'claude-code': {
    install: (scope, dry, l) => {
      const mcpFile = AGENTS['claude-code'].mcpFile(scope);
      const settings = AGENTS['claude-code'].hooksFile!(scope);
      const hook = { type: 'command', command: l.hook('claude-code'), timeout: 10 };
      return [
        ...jsonChange(mcpFile, dry, (root) => [entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args }), 'mcpServers.bgbash')]),
        ...jsonChange(settings, dry, (root) => {
          const added = addHooks(root, { UserPromptSubmit: { hooks: [hook] }, PostToolUse: { matcher: '*', hooks: [hook] }, Stop: { hooks: [hook] } }, 'hook claude-code');
          // Runs in the background while Claude is idle and wakes it with the next notice (never in claude -p).
          const wake = { type: 'command', command: `${l.hook('claude-code')} --wake`, asyncRewake: true, timeout: 86400 };
          const woke = addHooks(root, { Stop: { hooks: [wake] } }, 'hook claude-code --wake');
          return [
            added.length ? `added the bgbash hook to ${added.map((e) => `hooks.${e}`).join(', ')}` : 'left hooks as they were (bgbash hook already there)',
            woke.length ? 'added the bgbash wake hook (asyncRewake) to hooks.Stop' : 'left the wake hook as it was (already there)',
          ];
        }),
      ];
    },
  },
  opencode: {
    install: (scope, dry, l) => {
      const cfg = AGENTS.opencode.mcpFile(scope);
      const base = path.dirname(cfg);
      const pluginFile = path.join(base, scope === 'project' ? '.opencode' : '', 'plugins', 'bgbash.js');
      const changes = jsonChange(cfg, dry, (root) => {
        root.$schema ??= 'https://opencode.ai/config.json';
        return [entryNote(addEntry(root, 'mcp', 'bgbash', { type: 'local', command: [l.command, ...l.args], enabled: true }), 'mcp.bgbash')];
      });
      const exists = fs.existsSync(pluginFile);
      if (!exists) writeFile(pluginFile, fs.readFileSync(path.join(PLUGINS, 'opencode', 'bgbash.js'), 'utf8'), dry);
      changes.push({ file: pluginFile, what: exists ? 'left the plugin as it was (already there)' : 'added the bgbash plugin', changed: !exists });
      return changes;
    },
  },
  codex: {
    install: (scope, dry, l) => {
      const file = AGENTS.codex.mcpFile(scope);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const changes: Change[] = [];
      if (/^\s*\[mcp_servers\.bgbash\]/m.test(text) || /^\s*\[mcp_servers\."bgbash"\]/m.test(text)) {
        changes.push({ file, what: 'left [mcp_servers.bgbash] as it was (already there)', changed: false });
      } else {
        const block = [
          '',
          '# Added by `bgbash install codex`. Foreground bash calls return after yield_after (30 s);',
          '# tool_timeout_sec leaves room for task_status/task_output waits of up to 90 s.',
          '[mcp_servers.bgbash]',
          `command = ${JSON.stringify(l.command)}`,
          `args = ${JSON.stringify(l.args)}`,
          'startup_timeout_sec = 20',
          'tool_timeout_sec = 120',
          '',
        ].join('\n');
        writeFile(file, (text && !text.endsWith('\n') ? text + '\n' : text) + block, dry);
        changes.push({ file, what: 'added [mcp_servers.bgbash]', changed: true });
      }
      // Hooks (Codex ≥ 0.124 runs them by default) bring notices in after each tool call, with each prompt, and at Stop.
      const hook = { type: 'command', command: l.hook('codex'), timeout: 10 };
      changes.push(
        ...jsonChange(AGENTS.codex.hooksFile!(scope), dry, (root) => {
          const added = addHooks(root, { PostToolUse: { matcher: '.*', hooks: [hook] }, UserPromptSubmit: { hooks: [hook] }, Stop: { hooks: [hook] } }, 'hook codex');
          return [added.length ? `added the bgbash hook to ${added.map((e) => `hooks.${e}`).join(', ')}` : 'left hooks as they were (bgbash hook already there)'];
        }),
      );
      return changes;
    },
    after: 'Codex runs new hooks only once you trust them: open /hooks in Codex and trust the bgbash ones (for a one-off `codex exec`, --dangerously-bypass-hook-trust skips the review).',
  },
  'gemini-cli': {
    install: (scope, dry, l) => {
      const file = AGENTS['gemini-cli'].mcpFile(scope);
      const hook = { name: 'bgbash-notices', type: 'command', command: l.hook('gemini-cli'), timeout: 10000 };
      return jsonChange(file, dry, (root) => {
        const server = entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args, timeout: 120000 }), 'mcpServers.bgbash');
        const added = addHooks(root, { BeforeAgent: { hooks: [hook] }, AfterTool: { matcher: '.*', hooks: [hook] } }, 'hook gemini-cli');
        return [server, added.length ? `added the bgbash hook to ${added.map((e) => `hooks.${e}`).join(', ')}` : 'left hooks as they were (bgbash hook already there)'];
      });
    },
  },
  cursor: {
    install: (scope, dry, l) => {
      const file = AGENTS.cursor.mcpFile(scope);
      return jsonChange(file, dry, (root) => [entryNote(addEntry(root, 'mcpServers', 'bgbash', { command: l.command, args: l.args }), 'mcpServers.bgbash')]);
    },
  },
  vscode: {
    install: (scope, dry, l) => {
      const file = AGENTS.vscode.mcpFile(scope);
      return jsonChange(file, dry, (root) => [entryNote(addEntry(root, 'servers', 'bgbash', { type: 'stdio', command: l.command, args: l.args }), 'servers.bgbash')]);
    },
  },
};

export async function run(cli: Cli): Promise<number> {
  const agent = cli.args.positionals[0];
  const target = agent ? INSTALLERS[agent] : undefined;
  if (!target) throw new CliError(`which agent? \`bgbash install ${Object.keys(INSTALLERS).join('|')} [--project|--user] [--dry-run]\``, 2);
  const wanted: Scope | null = cli.args.flags.has('--user') ? 'user' : cli.args.flags.has('--project') ? 'project' : null;
  const { scopes } = AGENTS[agent!];
  const scope = wanted ?? scopes[0];
  if (!scopes.includes(scope)) {
    throw new CliError(`${agent} has no ${scope} config bgbash can write${agent === 'vscode' ? ' (for your user profile, run "MCP: Open User Configuration" in VS Code and add the entry from plugins/cursor-vscode/vscode-mcp.json)' : ''}`, 2);
  }
  const dry = cli.args.flags.has('--dry-run');
  const changes = target.install(scope, dry, launcher(cli.args.flags.has('--local')));
  // Dry run: "would add …" where a real run says "added …".
  for (const c of changes) cli.out(`${dry && c.changed ? c.what.replace(/^added\b/, 'would add') : c.what} in ${c.file}`);
  if (!dry && changes.some((c) => c.changed)) cli.out(`Restart ${agent} to load bgbash.${target.after ? ` ${target.after}` : ''}`);
  return 0;
}
