/**
 * The agent sessions a server (the daemon) serves at once: where each
 * started, and the environment its agent runs in. A task runs with its
 * session's environment, not the server's: the daemon was started by
 * whichever agent came first, and must not lend that agent's PATH,
 * virtualenv or tokens to another's tasks. Kept in memory only (an
 * environment holds secrets); a task keeps its own copy so a retry after its
 * session ended runs the same way.
 */
import type { Config } from '../config.js';

export interface SessionPlace {
  cwd: string;
  env: Record<string, string>;
  /** The session's own settings (its project config and flags); machine-wide ones are the server's. */
  config?: Config;
  /** The agent's name once its client says it (initialize's clientInfo.name). */
  agent: string | null;
}

/** Tasks whose environment is kept, at most: the oldest are let go first (their retry falls back to the server's). */
const MAX_TASK_ENVS = 2000;

export class SessionBook {
  private readonly sessions = new Map<string, SessionPlace>();
  private readonly taskEnvs = new Map<string, Record<string, string>>();

  open(session: string, place: Omit<SessionPlace, 'agent'>): void {
    this.sessions.set(session, { ...place, agent: null });
  }

  close(session: string): void {
    this.sessions.delete(session);
  }

  get(session: string | null | undefined): SessionPlace | undefined {
    return session ? this.sessions.get(session) : undefined;
  }

  setAgent(session: string, agent: string): void {
    const s = this.sessions.get(session);
    if (s) s.agent = agent;
  }

  /** A new task takes its session's environment (or, for a retry, the one its first run had). */
  keepEnv(taskId: string, env: Record<string, string> | undefined): void {
    if (!env) return;
    this.taskEnvs.set(taskId, env);
    if (this.taskEnvs.size > MAX_TASK_ENVS) this.taskEnvs.delete(this.taskEnvs.keys().next().value!);
  }

  envOf(taskId: string): Record<string, string> | undefined {
    return this.taskEnvs.get(taskId);
  }
}
