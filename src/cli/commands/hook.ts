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
 *   and reads them (not when stop_hook_active: no loops). In `claude -p` the
 *   Stop hook also blocks while the session's tasks run (hook-hold.ts).
 *   `--wake` is the asyncRewake Stop hook that wakes an idle session (hook-wake.ts).
 * Gemini CLI: AfterTool / BeforeAgent / SessionStart →
 *   {hookSpecificOutput: {hookEventName, additionalContext}}.
 * Codex: PostToolUse / UserPromptSubmit / SessionStart →
 *   {hookSpecificOutput: {hookEventName, additionalContext}}; Stop →
 *   {decision: "block", reason}.
 */
import { drainNotices } from '../../notify/inbox.js';
import { agentSessions } from '../agent-match.js';
import { claudeMode } from '../claude-mode.js';
import { CliError, type Cli } from '../context.js';
import { holdReason } from '../hook-hold.js';
import { putBack, wake } from '../hook-wake.js';
import { noticeBlock } from '../notice-block.js';
import { type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<claude-code|gemini-cli|codex> [event] [--wake]',
  description: "The hook command agents run: reads the hook's JSON on stdin and prints pending completion notices as the agent's JSON.\n`bgbash install` sets it up; you do not run it yourself.",
  options: {
    wake: { type: 'boolean', help: "Claude Code's asyncRewake Stop hook: wakes an idle session with the next notice" },
  },
  maxArgs: 2,
  repair: false,
  examples: ["echo '{\"hook_event_name\":\"UserPromptSubmit\"}' | bgbash hook claude-code"],
};

interface HookInput {
  hook_event_name?: string;
  session_id?: string;
  cwd?: string;
  stop_hook_active?: boolean;
}

/** A PostToolUse payload carries the tool's whole output; the hook client passes a bigger one on as its head's fields. */
const MAX_INPUT = 1 << 20;

/** stdin, or null when it is over MAX_INPUT (read to the end, so the agent's write never fails, but not kept). */
async function readStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size <= MAX_INPUT) chunks.push(c as Buffer);
  }
  return size > MAX_INPUT ? null : Buffer.concat(chunks).toString('utf8');
}

const AGENTS = {
  'claude-code': { context: new Set(['UserPromptSubmit', 'PostToolUse', 'SessionStart']), stop: new Set(['Stop', 'SubagentStop']) },
  'gemini-cli': { context: new Set(['AfterTool', 'BeforeAgent', 'SessionStart']), stop: new Set<string>() },
  codex: { context: new Set(['UserPromptSubmit', 'PostToolUse', 'SessionStart']), stop: new Set(['Stop']) },
} as const;

export async function run(cli: Cli): Promise<number> {
  const agent = cli.args.positionals[0] as keyof typeof AGENTS | undefined;
  if (!agent || !(agent in AGENTS)) throw new CliError(`which agent? \`bgbash hook ${Object.keys(AGENTS).join('|')}\``, 2);
  const raw = await readStdin();
  // Too big to be a payload worth parsing after every tool call (a hook run directly, not through the client): nothing to say.
  if (raw === null) return 0;
  let input: HookInput = {};
  try {
    input = raw.trim() ? (JSON.parse(raw) as HookInput) : {};
  } catch {
    // A hook must never break the agent: bad input means nothing to say.
    return 0;
  }
  const claudeSession = typeof input.session_id === 'string' ? input.session_id : '';
  if (cli.args.flags.has('--wake')) return agent === 'claude-code' ? wake(cli, claudeSession) : 0;
  const event = input.hook_event_name ?? cli.args.positionals[1] ?? '';
  const kind = AGENTS[agent].stop.has(event) ? 'stop' : AGENTS[agent].context.has(event) ? 'context' : null;
  if (!kind) return 0;
  const print = kind === 'stop' && agent === 'claude-code' && claudeMode() === 'print';
  // stop_hook_active: Claude already goes on because of a Stop hook. Block again only to keep
  // a print-mode session alive for its tasks (bounded by notices.holdPrintStop), never in a loop otherwise.
  if (kind === 'stop' && input.stop_hook_active && !print) return 0;
  const sessions = agentSessions(cli.paths, process.ppid);
  // Claiming is atomic per notice: a server piggy-backing at the same time never sends one twice.
  const claimed = sessions.flatMap((s) => drainNotices(cli.paths, s)).sort((a, b) => a.created_at.localeCompare(b.created_at));
  const block = claimed.length > 0 ? noticeBlock(claimed) : null;
  if (block) putBack(cli, claimed, block.used);
  const hold = print ? await holdReason(cli, claudeSession) : null;
  if (!block && !hold) return 0;
  const body = [block?.text, hold].filter(Boolean).join('\n\n');
  const out = kind === 'stop' ? { decision: 'block', reason: body } : { hookSpecificOutput: { hookEventName: event, additionalContext: body } };
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}
