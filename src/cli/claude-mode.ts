/**
 * How the Claude Code that runs a hook was started. Claude Code sets
 * CLAUDE_CODE_ENTRYPOINT for itself and its hooks: "cli" for the interactive
 * app, "sdk-cli" for `claude -p`, "sdk-ts"/"sdk-py" for the Agent SDKs (which
 * drive `--input-format stream-json`). Measured with 2.1.197 and 2.1.330:
 *
 * - "print": plain `claude -p`. It exits when the model ends its turn, and it
 *   runs `asyncRewake` hooks synchronously, so a hook that waits there holds
 *   the session (and, on PostToolUse, the tool call).
 * - "session": the interactive app or a stream-json session. It stays open
 *   when idle, and `asyncRewake` hooks run in the background and wake it.
 * - "unknown": anything else; hooks do nothing that could hold it.
 */
import { ancestry, processTable } from '../run/process-table.js';

export type ClaudeMode = 'print' | 'session' | 'unknown';

/** Whether an ancestor of `pid` was started with `--input-format stream-json` (a `-p` that stays open). */
function streamJsonAncestor(pid: number): boolean {
  const table = processTable();
  // Arguments joined by spaces (all ps can give): the flag and its value as whole words.
  return ancestry(pid, table)
    .slice(0, 8)
    .some((p) => /(?:^| )--input-format(?:=| )stream-json(?: |$)/.test(table.commandLine(p)));
}

export function claudeMode(env: NodeJS.ProcessEnv = process.env, fromPid = process.ppid): ClaudeMode {
  switch (env.CLAUDE_CODE_ENTRYPOINT) {
    case 'cli':
    case 'sdk-ts':
    case 'sdk-py':
      return 'session';
    case 'sdk-cli':
      return streamJsonAncestor(fromPid) ? 'session' : 'print';
    default:
      return 'unknown';
  }
}
