/**
 * The key that detaches in `bgbash attach` (config `attach.detachKey`, Ctrl+B by
 * default), and what a person inside tmux must press: when the key is tmux's
 * prefix, tmux takes it, and its default binding `prefix prefix` (send-prefix)
 * passes one through — so the footer says "Ctrl+B Ctrl+B".
 */
import { execFileSync } from 'node:child_process';
import { detachKeyByte } from '../config.js';

export interface DetachKey {
  byte: number;
  /** What to press, for the footer: "Ctrl+B", or "Ctrl+B Ctrl+B" inside tmux. */
  label: string;
  /** Said once when attach opens, when tmux changes what to press. */
  note: string | null;
}

const display = (byte: number): string => `Ctrl+${String.fromCharCode(byte + 64)}`;

/** tmux's prefix keys ("C-b"), when this terminal is inside tmux. */
function tmuxPrefixes(env: NodeJS.ProcessEnv): string[] {
  if (!env.TMUX) return [];
  try {
    const out = execFileSync('tmux', ['show-options', '-gv', 'prefix'], { encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] });
    const out2 = execFileSync('tmux', ['show-options', '-gv', 'prefix2'], { encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] });
    return [out.trim(), out2.trim()].filter((p) => p && p !== 'None');
  } catch {
    return ['C-b']; // tmux's default, when it cannot be asked
  }
}

export function detachKey(name: string, env: NodeJS.ProcessEnv = process.env): DetachKey {
  const byte = detachKeyByte(name) ?? 0x02;
  const key = display(byte);
  // tmux names it "C-b" (show-options prints it so); compared without case.
  const tmuxName = `c-${String.fromCharCode(byte + 64).toLowerCase()}`;
  if (!tmuxPrefixes(env).some((p) => p.toLowerCase() === tmuxName)) return { byte, label: key, note: null };
  return {
    byte,
    label: `${key} ${key}`,
    note: `tmux takes ${key} (its prefix): press ${key} twice to detach, or pick another key with BGBASH_DETACH_KEY=ctrl-g (attach.detachKey)`,
  };
}
