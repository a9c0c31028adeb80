/**
 * `bgbash install tmux`: prefix + T opens the Tasks page in a popup
 * (`display-popup -E`: it closes when the page does, on q), and the task
 * strip joins status-right (kept, not replaced), with the status line
 * refreshed every 2 s as in the seed. Written between marker comments in the
 * config tmux reads, so it can be found, updated and removed again; every line
 * is guarded, so sourcing the file twice changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFile, type Change } from '../config-merge.js';
import { CliError } from '../context.js';
import type { Launcher } from './launcher.js';

export const BEGIN = '# >>> bgbash >>> (written by `bgbash install tmux`; `bgbash install --remove tmux` takes it out)';
export const END = '# <<< bgbash <<<';

/** The user config tmux reads: the first of ~/.tmux.conf, $XDG_CONFIG_HOME/tmux/tmux.conf, ~/.config/tmux/tmux.conf (tmux(1)); ~/.tmux.conf when none exists. */
export function tmuxConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  const candidates = [path.join(home, '.tmux.conf'), ...(env.XDG_CONFIG_HOME ? [path.join(env.XDG_CONFIG_HOME, 'tmux', 'tmux.conf')] : []), path.join(home, '.config', 'tmux', 'tmux.conf')];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0]!;
}

export function tmuxBlock(l: Launcher): string {
  const tasks = l.cli('tasks');
  const strip = l.cli('strip --once');
  // Nested inside tmux's quotes below: a path that needs quoting of its own would need three levels of it.
  if (/["'\\$`#;]/.test(tasks)) throw new CliError(`bgbash's path (${tasks}) has quotes or other characters a tmux config cannot nest; install bgbash where the path is plain, or add the lines by hand (see \`bgbash install tmux --dry-run\`)`);
  return [
    BEGIN,
    `bind-key T display-popup -E -w 90% -h 80% "${tasks}"`,
    `if-shell -F '#{m:*strip --once*,#{status-right}}' '' 'set -ga status-right " #(${strip})"'`,
    `if-shell -F '#{||:#{==:#{status-interval},0},#{e|>:#{status-interval},2}}' 'set -g status-interval 2'`,
    `if-shell -F '#{e|<:#{status-right-length},100}' 'set -g status-right-length 100'`,
    END,
  ].join('\n');
}

/** The block in a config's text: [start, end) offsets, or null. */
export function findBlock(text: string): [number, number] | null {
  const start = text.indexOf(BEGIN.slice(0, 16));
  if (start < 0) return null;
  const end = text.indexOf(END, start);
  if (end < 0) return null;
  return [start, end + END.length + (text[end + END.length] === '\n' ? 1 : 0)];
}

function read(file: string): string | Change {
  try {
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  } catch (err) {
    return { file, what: `left it alone: cannot read it (${(err as Error).message})`, changed: false, problem: true };
  }
}

export function installTmux(dry: boolean, l: Launcher): Change[] {
  const file = tmuxConfigFile();
  const text = read(file);
  if (typeof text !== 'string') return [text];
  const block = tmuxBlock(l) + '\n';
  const at = findBlock(text);
  if (at && text.slice(at[0], at[1]) === block) return [{ file, what: 'left the bgbash lines as they were (already there)', changed: false }];
  if (at) {
    writeFile(file, text.slice(0, at[0]) + block + text.slice(at[1]), dry);
    return [{ file, what: 'updated the bgbash lines (prefix + T: Tasks page; the strip in status-right)', changed: true }];
  }
  writeFile(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${text ? '\n' : ''}${block}`, dry);
  return [{ file, what: 'added prefix + T (the Tasks page in a popup, q closes it) and the strip in status-right, refreshed every 2 s', changed: true }];
}

export function removeTmux(dry: boolean): Change[] {
  const file = tmuxConfigFile();
  const text = read(file);
  if (typeof text !== 'string') return [text];
  const at = findBlock(text);
  if (!at) return [];
  writeFile(file, (text.slice(0, at[0]).replace(/\n\n$/, '\n') + text.slice(at[1])), dry);
  return [{ file, what: 'removed the bgbash lines (prefix + T, the strip in status-right)', changed: true }];
}
