/** What transports hand the TaskManager: a shell command or a prompt to run, and how deliver_to targets are sealed. */

export interface ShellSpec {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Variables to remove from the server's environment (the session's shell unset them). */
  env_unset?: string[];
  /** Its end becomes its session's shell state (a foreground `bash` call). */
  shell_state?: boolean;
  name?: string | null;
  timeout_ms?: number;
  pty?: boolean;
  /** A backend by name (a configured ssh host, …); default: pty, or pipe with `pty: false`. */
  backend?: string | null;
  /** Instead of `backend`: a configured backend's name or host. */
  host?: string | null;
  origin?: string | null;
  session?: string | null;
  deliver_to?: string[];
  retry_of?: string | null;
  notify_on?: string | null;
  /** A caller is waiting on it: start at once instead of queueing behind background tasks. */
  foreground?: boolean;
  /** Outlives its session (a server, a watcher): no default timeout; ends by itself, on request, or with the server. */
  persistent?: boolean;
}

export interface PromptSpec {
  prompt: string;
  /** A runner name; default background.defaultRunner, else the session's client model (sampling). */
  runner?: string | null;
  cwd?: string;
  name?: string | null;
  timeout_ms?: number;
  origin?: string | null;
  session?: string | null;
  deliver_to?: string[];
  retry_of?: string | null;
}

/** Turns a deliver_to target into the form a record may carry; throws UserError for a bad one. */
export interface TargetSealer {
  seal(target: string): string;
}
