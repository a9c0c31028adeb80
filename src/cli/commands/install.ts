/**
 * `bgbash install <target> [--project|--user] [--dry-run] [--remove]`: writes
 * or merges the config an agent reads so it starts `npx -y bgbash-mcp serve`
 * (and, where the agent has them, the hooks, plugin, status line and slash
 * command that bring bgbash into it), or adds prefix + T and the strip to
 * tmux. Existing entries are never replaced; every change is printed;
 * --remove takes out what install wrote and nothing else.
 */
import { AGENTS, type Scope } from '../agent-configs.js';
import type { Change } from '../config-merge.js';
import { CliError, type Cli } from '../context.js';
import { type CommandSpec } from '../command.js';
import { INSTALLERS } from '../install/agents.js';
import { launcher } from '../install/launcher.js';
import { installTmux, removeTmux, tmuxBlock } from '../install/tmux.js';

export const spec: CommandSpec = {
  usage: '<agent|tmux> [--project | --user] [--dry-run] [--local] [--remove]',
  description:
    "Adds bgbash to an agent's config (claude-code, opencode, codex, gemini-cli, cursor, vscode), with the hooks,\nplugin, status line and slash command that bring it into the agent, or to tmux (prefix + T: the Tasks page; the\nstrip in status-right). Never replaces an existing entry; prints every change. --remove takes out what it wrote.",
  options: {
    project: { type: 'boolean', help: "This project's config (the default where the agent has one)" },
    user: { type: 'boolean', help: 'Your user config' },
    'dry-run': { type: 'boolean', help: 'Print what would change and write nothing' },
    local: { type: 'boolean', help: "Start this checkout's CLI (node + path) instead of `npx -y bgbash-mcp` (for working on bgbash)" },
    remove: { type: 'boolean', help: 'Take out what `bgbash install` wrote (entries of your own stay)' },
  },
  maxArgs: 1,
  repair: false,
  examples: ['bgbash install claude-code', 'bgbash install codex --user --dry-run', 'bgbash install tmux', 'bgbash install --remove claude-code'],
};

const TARGETS = [...Object.keys(INSTALLERS), 'tmux'];

export async function run(cli: Cli): Promise<number> {
  const target = cli.args.positionals[0];
  if (!target || !TARGETS.includes(target)) throw new CliError(`which agent? \`bgbash install ${TARGETS.join('|')} [--project|--user] [--dry-run] [--remove]\``, 2);
  const dry = cli.args.flags.has('--dry-run');
  const remove = cli.args.flags.has('--remove');
  let changes: Change[];
  let after: string | undefined;
  if (target === 'tmux') {
    changes = remove ? removeTmux(dry) : installTmux(dry, launcher(cli.args.flags.has('--local')));
    after = remove ? 'New tmux servers start without it; in a running one, prefix + T and the strip stay until tmux restarts.' : `Load it in a running tmux with: tmux source-file ${changes[0]?.file ?? '~/.tmux.conf'}`;
  } else {
    const wanted: Scope | null = cli.args.flags.has('--user') ? 'user' : cli.args.flags.has('--project') ? 'project' : null;
    const { scopes } = AGENTS[target]!;
    const scope = wanted ?? scopes[0]!;
    if (!scopes.includes(scope)) {
      throw new CliError(`${target} has no ${scope} config bgbash can write${target === 'vscode' ? ' (for your user profile, run "MCP: Open User Configuration" in VS Code and add the entry from plugins/cursor-vscode/vscode-mcp.json)' : ''}`, 2);
    }
    const t = INSTALLERS[target]!;
    changes = remove ? t.remove(scope, dry) : t.install(scope, dry, launcher(cli.args.flags.has('--local')));
    after = `Restart ${target} to ${remove ? 'unload' : 'load'} bgbash.${!remove && t.after ? ` ${t.after}` : ''}`;
  }
  // Dry run: "would add …" where a real run says "added …".
  for (const c of changes) {
    const [first, ...more] = (dry && c.changed ? c.what.replace(/^(added|removed|updated)\b/, (w) => `would ${w.replace(/ed$/, '').replace(/^remov$/, 'remove').replace(/^updat$/, 'update')}`) : c.what).split('\n');
    cli.out([`${first} in ${c.file}`, ...more].join('\n'));
  }
  if (target === 'tmux' && dry && !remove && changes.some((c) => c.changed)) cli.out(tmuxBlock(launcher(cli.args.flags.has('--local'))));
  if (remove && changes.length === 0) cli.out(`Nothing of bgbash's found for ${target}.`);
  if (!dry && changes.some((c) => c.changed)) cli.out(after);
  return changes.some((c) => c.problem) ? 1 : 0;
}
