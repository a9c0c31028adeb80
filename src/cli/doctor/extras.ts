/**
 * `bgbash doctor`'s lines for what `bgbash install` adds beyond the MCP entry
 * and hooks: Claude Code's status line, tmux's prefix + T and strip, the
 * slash commands. Each says where it is and whether the bgbash it runs is
 * still there (a path a removed or moved install left behind is ✗).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printable } from '../../shared/printable.js';
import { findExecutable } from '../../run/runners.js';
import { AGENTS, readConfig } from '../agent-configs.js';
import { statusLineOf } from '../install/claude-status.js';
import { findBlock, tmuxConfigFile } from '../install/tmux.js';
import { check, type Check } from './check.js';

const tilde = (file: string): string => (file.startsWith(os.homedir() + path.sep) ? `~${file.slice(os.homedir().length)}` : file);

/** An absolute path a command line runs that is gone, or null. */
function gonePath(command: string): string | null {
  const words = [...command.matchAll(/"([^"]+)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  return words.find((w) => path.isAbsolute(w) && !fs.existsSync(w)) ?? null;
}

function claudeStatusLines(): Check[] {
  const out: Check[] = [];
  for (const scope of AGENTS['claude-code']!.scopes) {
    const file = AGENTS['claude-code']!.hooksFile!(scope);
    let root: unknown;
    try {
      root = readConfig(file);
    } catch {
      continue; // the agent's own line says the file is broken
    }
    if (!root || typeof root !== 'object' || Array.isArray(root)) continue;
    const line = statusLineOf(root as Record<string, unknown>);
    if (line === null || line === 'other') continue;
    const name = `Claude Code status line (${scope})`;
    const gone = gonePath(line.command);
    if (gone) out.push(check(name, 'fail', `${tilde(printable(file))} runs ${printable(gone)}, which does not exist`, `bgbash install --remove claude-code --${scope}, then bgbash install claude-code --${scope}`));
    else out.push(check(name, 'ok', `the task strip in Claude Code's footer (${tilde(printable(file))})`));
  }
  return out;
}

function tmuxVersion(): number | null {
  try {
    const m = /(\d+)\.(\d+)/.exec(execFileSync('tmux', ['-V'], { encoding: 'utf8', timeout: 5000 }));
    return m ? Number(m[1]) + Number(m[2]) / 10 : null;
  } catch {
    return null;
  }
}

function tmuxCheck(): Check | null {
  const file = tmuxConfigFile();
  let text = '';
  try {
    text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  } catch (err) {
    return check('tmux', 'warn', `cannot read ${tilde(printable(file))}: ${(err as Error).message}`);
  }
  const at = findBlock(text);
  const installed = findExecutable('tmux') !== null;
  if (!at) return null;
  const where = tilde(printable(file));
  const gone = gonePath(text.slice(at[0], at[1]).split('\n').find((l) => l.startsWith('bind-key T')) ?? '');
  if (gone) return check('tmux', 'fail', `${where} runs ${printable(gone)}, which does not exist`, 'bgbash install tmux (it updates the lines)');
  if (!installed) return check('tmux', 'warn', `${where} has the bgbash lines, but tmux is not on PATH`);
  const version = tmuxVersion();
  if (version !== null && version < 3.2) return check('tmux', 'warn', `${where} binds prefix + T to a popup, which needs tmux 3.2 or newer (this is ${version})`, 'upgrade tmux');
  return check('tmux', 'ok', `prefix + T opens the Tasks page; the strip joins status-right, every 2 s (${where})`);
}

function slashCommands(): Check | null {
  const files: Array<[string, string]> = [];
  for (const scope of ['project', 'user'] as const) {
    const oc = AGENTS.opencode!.mcpFile(scope);
    files.push(['opencode /bgbash-tasks', path.join(path.dirname(oc), scope === 'project' ? '.opencode' : '', 'command', 'bgbash-tasks.md')]);
    files.push(['Gemini CLI /bgbash:tasks', path.join(path.dirname(AGENTS['gemini-cli']!.mcpFile(scope)), 'commands', 'bgbash', 'tasks.toml')]);
  }
  const found = files.filter(([, f]) => fs.existsSync(f));
  if (found.length === 0) return null;
  for (const [name, f] of found) {
    const gone = gonePath(fs.readFileSync(f, 'utf8').split('\n').find((l) => /bgbash\S* .*list/.test(l) && /[!]/.test(l))?.replace(/^[!`{]+|[`}]+$/g, '') ?? '');
    if (gone) return check('slash commands', 'fail', `${name} (${tilde(printable(f))}) runs ${printable(gone)}, which does not exist`, `bgbash install again for that agent`);
  }
  return check('slash commands', 'ok', found.map(([n, f]) => `${n} (${tilde(printable(f))})`).join(', '));
}

export function extraChecks(): Check[] {
  return [...claudeStatusLines(), tmuxCheck(), slashCommands()].filter((c): c is Check => c !== null);
}
