/** What `bash` says about the session's shell: its state after a call, a reset, and why a call did not change it. */
import type { ShellState } from '../../core/shell-state.js';
import type { ToolContext } from '../context.js';

export const SHELL_STATE_HELP = `One shell per session: \`cd\`, \`export\` and \`unset\` in a foreground call carry over to later calls and to background tasks started afterwards (an ssh backend keeps its own). Aliases, functions and shell options do not: each call is a fresh bash. A command still running when its call returns changes the shell only if it ends by itself. reset: true restores the start directory and environment.`;

/** The result of `bash {reset: true}` without a command. */
export function resetReply(ctx: ToolContext): { text: string; structured: { reset: true; cwd: string } } {
  const state = ctx.shells.reset(ctx.session());
  return { text: `Shell reset: the next command runs in ${state.cwd} with the server's environment.`, structured: { reset: true, cwd: state.cwd } };
}

/** Notes for the agent around a command's result: where it ran when the session's directory was gone, and a state its end could not keep. */
export function shellNotes(ctx: ToolContext, taskId: string, cwdNote: string | null): { before: string; after: string } {
  const kept = ctx.shells.takeNote(taskId);
  return { before: cwdNote ? `[note: ${cwdNote}]\n` : '', after: kept ? `\n[note: ${kept}]` : '' };
}

function describe(state: ShellState): string {
  const exported = Object.keys(state.exported);
  const vars = [exported.length ? `exported ${exported.join(', ')}` : '', state.unset.length ? `unset ${state.unset.join(', ')}` : ''].filter(Boolean).join('; ');
  return `cwd ${state.cwd}${vars ? ` (${vars})` : ''}`;
}

/** The session's shell in one line (and one per remote backend it used), for task_status. */
export function shellSummary(ctx: ToolContext): { text: string; cwd: string } {
  const state = ctx.shells.current(ctx.session());
  const remote = ctx.shells.remote(ctx.session()).map(([backend, s]) => `\nShell on ${backend}: ${describe(s)}`);
  return { text: `Shell: ${describe(state)}${remote.join('')}`, cwd: state.cwd };
}
