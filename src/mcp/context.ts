/** What every tool handler gets: the engine, and who is calling. */
import type { Config } from '../config.js';
import type { ForegroundRuns } from '../core/foreground.js';
import type { TaskManager } from '../core/manager.js';
import type { SessionShells } from '../core/shell-state.js';
import type { Task } from '../shared/task.js';

export interface ToolContext {
  manager: TaskManager;
  foreground: ForegroundRuns;
  config: Config;
  /** Each MCP session's shell state: where its next command runs, with which exports. */
  shells: SessionShells;
  /** The connected client's name from `initialize` (clientInfo.name), once known. */
  clientName(): string | null;
  /** The agent session this server serves. */
  session(): string;
  /** The agent was shown this task's current state; if it ended, no notice is needed any more. */
  seen(task: Task): void;
  /**
   * Start-up work that requests about tasks depend on (dead servers' tasks
   * closed): settled after the client's first request was answered, so
   * `server/discover` and `initialize` never wait for it.
   */
  ready: Promise<void>;
}
