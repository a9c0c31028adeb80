/**
 * The strip as Claude Code's status line (`bgbash strip --status-line`).
 * Claude Code runs the command with the session as JSON on stdin (session_id,
 * cwd, workspace.current_dir / project_dir) and shows its first line in its
 * footer. Shown: the tasks of that Claude session — the bgbash sessions of
 * the servers it started, found like a hook finds them (agent-match.ts), or
 * BGBASH_SESSION — and, when it has none, the live persistent tasks (servers,
 * watchers) of its project. Nothing when there are none.
 */
import { isTerminal, type Task } from '../shared/task.js';
import { projectRoot } from '../core/project.js';
import { taskProject } from '../core/session-tasks.js';
import { agentSessions } from './agent-match.js';
import type { Cli } from './context.js';

/** Claude Code's status line input sends far less; more is not a status line's. */
const MAX_INPUT = 1 << 20;

export interface StatusInput {
  cwd?: string;
  project?: string;
}

export async function readStatusInput(stdin: NodeJS.ReadStream = process.stdin): Promise<StatusInput> {
  if (stdin.isTTY) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stdin) {
    size += (c as Buffer).length;
    if (size > MAX_INPUT) break;
    chunks.push(c as Buffer);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return {};
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('/') && !v.includes('\0') ? v : undefined);
  const o = (json && typeof json === 'object' ? json : {}) as { cwd?: unknown; workspace?: { current_dir?: unknown; project_dir?: unknown } };
  const ws = o.workspace && typeof o.workspace === 'object' ? o.workspace : {};
  return { cwd: str(ws.current_dir) ?? str(o.cwd), project: str(ws.project_dir) };
}

/** The tasks this Claude session's footer shows. */
export function statusLineTasks(cli: Cli, all: Task[], input: StatusInput, fromPid = process.ppid): Task[] {
  const sessions = new Set(agentSessions(cli.paths, fromPid));
  const own = all.filter((t) => t.session !== null && sessions.has(t.session));
  if (own.length > 0) return own;
  const dir = input.project ?? input.cwd;
  if (!dir) return [];
  const project = projectRoot(dir);
  return all.filter((t) => t.persistent && !isTerminal(t) && taskProject(t) === project);
}
