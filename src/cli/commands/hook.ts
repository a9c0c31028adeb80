/**
 * `bgbash hook <agent>`: an agent's hook command. Reads the hook's input JSON
 * on stdin, takes the undelivered completion notices of this agent's bgbash
 * sessions out of the inbox, and prints the agent's documented output JSON
 * that adds them to the conversation. Prints nothing when there is nothing to
 * tell (and never anything but that JSON on stdout).
 *
 * Claude Code: UserPromptSubmit / PostToolUse / SessionStart →
 *   {hookSpecificOutput: {hookEventName, additionalContext}};
 *   Stop / SubagentStop → {decision: "block", reason} so the agent goes on
 *   and reads them (not when stop_hook_active: no loops).
 * Gemini CLI: AfterTool / BeforeAgent / SessionStart →
 *   {hookSpecificOutput: {hookEventName, additionalContext}}.
 */
import { drainNotices, putNotice } from '../../notify/inbox.js';
import type { Notice } from '../../notify/notice.js';
import { agentSessions } from '../agent-match.js';
import { CliError, type Cli } from '../context.js';

/** Claude Code's limit on additionalContext. */
export const MAX_CONTEXT = 10_000;

interface HookInput {
  hook_event_name?: string;
  session_id?: string;
  cwd?: string;
  stop_hook_active?: boolean;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Notices as one block of text within `max` characters; the ones that do not fit stay in the inbox. */
export function noticeBlock(notices: Notice[], max = MAX_CONTEXT): { text: string; used: Notice[] } {
  const head = 'bgbash — background tasks that ended since you last heard:\n';
  let text = head;
  const used: Notice[] = [];
  for (const n of notices) {
    const piece = `\n${n.text}\n`;
    if (text.length + piece.length > max - 80) {
      if (used.length === 0) {
        used.push(n);
        text += `\n${n.text.slice(0, max - head.length - 100)}…\n`;
      }
      break;
    }
    used.push(n);
    text += piece;
  }
  if (used.length < notices.length) text += `\n(${notices.length - used.length} more: they come with your next bgbash tool call, or \`bgbash list\`)`;
  return { text, used };
}

const AGENTS = {
  'claude-code': { context: new Set(['UserPromptSubmit', 'PostToolUse', 'SessionStart']), stop: new Set(['Stop', 'SubagentStop']) },
  'gemini-cli': { context: new Set(['AfterTool', 'BeforeAgent', 'SessionStart']), stop: new Set<string>() },
} as const;

export async function run(cli: Cli): Promise<number> {
  const agent = cli.args.positionals[0] as keyof typeof AGENTS | undefined;
  if (!agent || !(agent in AGENTS)) throw new CliError(`which agent? \`bgbash hook ${Object.keys(AGENTS).join('|')}\``, 2);
  const raw = await readStdin();
  let input: HookInput = {};
  try {
    input = raw.trim() ? (JSON.parse(raw) as HookInput) : {};
  } catch {
    // A hook must never break the agent: bad input means nothing to say.
    return 0;
  }
  const event = input.hook_event_name ?? cli.args.positionals[1] ?? '';
  const kind = AGENTS[agent].stop.has(event) ? 'stop' : AGENTS[agent].context.has(event) ? 'context' : null;
  if (!kind) return 0;
  if (kind === 'stop' && input.stop_hook_active) return 0;
  const sessions = agentSessions(cli.paths, process.ppid);
  // Claiming is atomic per notice: a server piggy-backing at the same time never sends one twice.
  const claimed = sessions.flatMap((s) => drainNotices(cli.paths, s)).sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (claimed.length === 0) return 0;
  const { text: body, used } = noticeBlock(claimed);
  for (const n of claimed) if (!used.includes(n) && n.session) putNotice(cli.paths, n.session, n);
  const out =
    kind === 'stop'
      ? { decision: 'block', reason: body }
      : { hookSpecificOutput: { hookEventName: event, additionalContext: body } };
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}
