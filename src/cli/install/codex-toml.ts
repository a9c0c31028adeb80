/**
 * The `[mcp_servers.bgbash]` block `bgbash install codex` appends to Codex's
 * config.toml, and taking exactly that block out again. The file is edited as
 * text (TOML parsers drop comments and layout), line by line: the blank line
 * install put before the block, its comment lines, the table header, and the
 * key lines under it up to the first blank line, comment or table header. The
 * result is parsed and checked: it must be the old config minus
 * mcp_servers.bgbash and nothing else, or the file is left alone.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import type { Launcher } from './launcher.js';

export const CODEX_MARK = '# Added by `bgbash install codex`.';

const HEADER = /^\[mcp_servers\.("?)bgbash\1\][ \t]*(#.*)?$/;

/** What install appends (it starts with a blank line, so the block stands apart from what is above it). */
export function codexBlock(l: Launcher): string {
  return [
    '',
    `${CODEX_MARK} Foreground bash calls return after yield_after (30 s);`,
    '# tool_timeout_sec leaves room for task_status/task_output waits of up to 90 s.',
    '[mcp_servers.bgbash]',
    `command = ${JSON.stringify(l.command)}`,
    `args = ${JSON.stringify(l.args)}`,
    'startup_timeout_sec = 20',
    'tool_timeout_sec = 120',
    '',
  ].join('\n');
}

export function hasBgbashTable(text: string): boolean {
  return text.split(/\r?\n/).some((line) => HEADER.test(line.trim()));
}

export type Removal = { text: string } | { none: true } | { problem: string };

/** A parsed config without mcp_servers.bgbash, nor an mcp_servers left empty; in place (the parser's objects keep their own prototype). */
function withoutBgbash(config: Record<string, unknown>): Record<string, unknown> {
  const servers = config.mcp_servers as Record<string, unknown> | undefined;
  if (!servers || typeof servers !== 'object') return config;
  delete servers.bgbash;
  if (Object.keys(servers).length === 0) delete config.mcp_servers;
  return config;
}

/** `text` without the block install wrote; every other byte stays as it was. */
export function removeCodexBlock(text: string): Removal {
  // Split keeping each line's own ending, so what is kept is joined back byte for byte.
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const bare = (i: number): string => (lines[i] ?? '').replace(/\r?\n$/, '');
  const start = lines.findIndex((_, i) => bare(i).startsWith(CODEX_MARK));
  if (start < 0) return { none: true };
  let i = start + 1;
  while (i < lines.length && bare(i).startsWith('#')) i++;
  if (!HEADER.test(bare(i))) return { none: true };
  i++;
  // Key lines of bgbash's table (install's four, or ones the user added to it); a blank line, comment or header ends it.
  while (i < lines.length && /^[A-Za-z0-9_"'-][^=]*=/.test(bare(i))) i++;
  const from = start > 0 && bare(start - 1).trim() === '' ? start - 1 : start;
  const kept = lines.slice(0, from).join('') + lines.slice(i).join('');
  let before: Record<string, unknown>;
  let after: Record<string, unknown>;
  try {
    before = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    return { problem: `it is not valid TOML (${(err as Error).message.split('\n')[0]}); take out [mcp_servers.bgbash] by hand` };
  }
  try {
    after = parseToml(kept) as Record<string, unknown>;
  } catch {
    after = { unparsable: true };
  }
  if (!isDeepStrictEqual(withoutBgbash(after), withoutBgbash(before))) {
    return { problem: '[mcp_servers.bgbash] has changed since bgbash wrote it (taking out its lines would change other settings); take it out by hand' };
  }
  return { text: kept };
}
