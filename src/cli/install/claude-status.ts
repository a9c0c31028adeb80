/**
 * Claude Code's status line (settings.json `statusLine`): Claude Code runs the
 * command with the session's JSON on stdin and shows its first line in its
 * footer; `refreshInterval` (seconds, Claude Code ≥ 2.1.97) re-runs it on a
 * timer as well as on every message. bgbash sets it to `bgbash strip
 * --status-line` when the user has none, and never touches one they have.
 */
import { isOurStatusLine } from '../agent-configs.js';
import type { Launcher } from './launcher.js';

/** What install's status line runs (agent-configs.ts isOurStatusLine knows it again for --remove and doctor). */
export const STRIP_ARGS = 'strip --status-line';
/** The seed's strip refreshes every 2 seconds. */
export const REFRESH_SECONDS = 2;

export function statusLineOf(root: Record<string, unknown>): { command: string } | null | 'other' {
  const s = root.statusLine;
  if (s === undefined) return null;
  const command = s && typeof s === 'object' && typeof (s as { command?: unknown }).command === 'string' ? (s as { command: string }).command : '';
  return isOurStatusLine(command) ? { command } : 'other';
}

/** Adds the strip as the status line; the lines to print (a status line of the user's own is left as it is). */
export function addStatusLine(root: Record<string, unknown>, l: Launcher): string[] {
  const current = statusLineOf(root);
  const command = l.cli(STRIP_ARGS);
  if (current === 'other') {
    return [
      'left statusLine as it was (yours); to show the bgbash strip in it too, add this line to your status line script:',
      `  echo "$input" | ${command}   # where $input holds the JSON your script read from stdin`,
    ];
  }
  if (current) return ['left statusLine as it was (the bgbash strip already)'];
  root.statusLine = { type: 'command', command, refreshInterval: REFRESH_SECONDS };
  return ['added statusLine (the bgbash task strip in the footer, refreshed every 2 s)'];
}

export function removeStatusLine(root: Record<string, unknown>): string[] {
  const current = statusLineOf(root);
  if (current === null) return [];
  if (current === 'other') return ['left statusLine as it was (not bgbash\'s)'];
  delete root.statusLine;
  return ['removed statusLine (the bgbash strip)'];
}
