/** The messages between a server and its spawner (run/spawner.ts ↔ run/spawner-process.ts), over Node's IPC channel. */

/** A stdio slot: an fd of the server's (reopened by the spawner through /proc), a pipe the server writes through the spawner, or nothing. */
export type StdioSlot = number | 'pipe' | 'ignore';

export type ToSpawner =
  | {
      op: 'spawn';
      id: number;
      file: string;
      args: string[];
      cwd: string;
      env: Record<string, string>;
      stdio: [StdioSlot, StdioSlot, StdioSlot];
      detached: boolean;
      /** Keep the reopened fds until `release`: the server reads their offsets (how much the child wrote). */
      hold: boolean;
    }
  | { op: 'write'; id: number; data: Buffer }
  | { op: 'end'; id: number }
  | { op: 'release'; id: number };

export type FromSpawner =
  | { op: 'ready' }
  | { op: 'spawn'; id: number; pid: number; /** Per stdio slot, the spawner's fd for it while held. */ fds: (number | null)[] }
  | { op: 'error'; id: number; code?: string; message: string; /** The server's fds could not be reopened (not the command's fault). */ reopen?: boolean }
  | { op: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  /** `bytes` of a 'write' left the spawner: the process took them, or they were dropped (its stdin is closed). */
  | { op: 'wrote'; id: number; bytes: number };
