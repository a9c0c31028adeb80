/**
 * A slash command that shows bgbash's tasks in the agent itself: it runs
 * `bgbash list` (states, ports) and hands its output to the person and the
 * model. opencode reads commands from `command/<name>.md` (shell output with
 * !`cmd`); Gemini CLI from `commands/<ns>/<name>.toml` (`!{cmd}`). The Claude
 * Code plugin ships its own (plugins/claude-code/commands/tasks.md).
 */
import fs from 'node:fs';
import { writeFile, type Change } from '../config-merge.js';
import type { Launcher } from './launcher.js';

const MARK = 'Written by `bgbash install`; `bgbash install --remove` takes it out.';

const ASK = [
  'Above is `bgbash list`: the background tasks bgbash runs here (newest first), with their states and the ports they listen on.',
  'Show it to me as it is, then say in one line what is running, what failed, and which task waits for input, if any.',
  'Tell me I can open the Tasks page with `bgbash tasks` (or prefix + T in tmux once `bgbash install tmux` has run).',
].join('\n');

export function commandText(agent: 'opencode' | 'gemini-cli', l: Launcher): string {
  const list = l.cli('list');
  if (agent === 'opencode') {
    return ['---', 'description: bgbash tasks — states, ports, and how to open the Tasks page', '---', `<!-- ${MARK} -->`, `!\`${list}\``, '', ASK, ''].join('\n');
  }
  return [`# ${MARK}`, 'description = "bgbash tasks: states, ports, and how to open the Tasks page"', `prompt = """`, `!{${list}}`, '', ASK, '"""', ''].join('\n');
}

export function addCommandFile(agent: 'opencode' | 'gemini-cli', file: string, l: Launcher, dry: boolean): Change {
  const name = agent === 'opencode' ? '/bgbash-tasks' : '/bgbash:tasks';
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(MARK)) return { file, what: `left the ${name} command as it was (yours)`, changed: false };
    if (text === commandText(agent, l)) return { file, what: `left the ${name} command as it was (already there)`, changed: false };
    writeFile(file, commandText(agent, l), dry);
    return { file, what: `updated the ${name} command`, changed: true };
  }
  writeFile(file, commandText(agent, l), dry);
  return { file, what: `added the ${name} command (bgbash list)`, changed: true };
}

export function removeCommandFile(file: string, dry: boolean): Change | null {
  if (!fs.existsSync(file)) return null;
  if (!fs.readFileSync(file, 'utf8').includes(MARK)) return { file, what: 'left the command as it was (not written by bgbash)', changed: false };
  if (!dry) fs.rmSync(file);
  return { file, what: 'removed the bgbash tasks command', changed: true };
}
