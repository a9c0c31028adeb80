/**
 * Which bgbash servers belong to the agent a hook (or plugin) runs for. An
 * agent starts its MCP servers as child processes and runs its hooks as child
 * processes too, so the hook and "its" server share the agent's process as
 * their nearest common ancestor; another session's server shares only
 * something further up (a shell, tmux, init). BGBASH_SESSION, when set,
 * names the session outright.
 */
import { ancestry } from '../run/process-table.js';
import { liveServers } from '../core/live-servers.js';
import type { ServerInfo } from '../store/servers.js';
import type { DataPaths } from '../store/data-dir.js';

export { ancestry };

export function matchServers(paths: DataPaths, fromPid: number, env: NodeJS.ProcessEnv = process.env): ServerInfo[] {
  const servers = liveServers(paths);
  if (env.BGBASH_SESSION) return servers.filter((s) => (s.session ?? s.id) === env.BGBASH_SESSION);
  const mine = ancestry(fromPid);
  let best = Infinity;
  let found: ServerInfo[] = [];
  for (const s of servers) {
    const theirs = new Set(ancestry(s.pid));
    const distance = mine.findIndex((p) => theirs.has(p));
    if (distance < 0) continue;
    if (distance < best) {
      best = distance;
      found = [s];
    } else if (distance === best) found.push(s);
  }
  return found;
}

/** The inbox sessions to drain for an agent: its servers', or BGBASH_SESSION. */
export function agentSessions(paths: DataPaths, fromPid: number, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.BGBASH_SESSION) return [env.BGBASH_SESSION];
  return [...new Set(matchServers(paths, fromPid, env).map((s) => s.session ?? s.id))];
}
