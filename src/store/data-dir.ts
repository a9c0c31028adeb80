/** The data directory's layout. Everything under it is the user's alone (0700 dirs, 0600 files). */
import fs from 'node:fs';
import path from 'node:path';

export interface DataPaths {
  root: string;
  tasks: string;
  servers: string;
  run: string;
  inbox: string;
  /** MCP task handles (2026-07-28 tasks extension), one `<task id>.json` per task that was answered with one. */
  mcpTasks: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    tasks: path.join(root, 'tasks'),
    servers: path.join(root, 'servers'),
    run: path.join(root, 'run'),
    inbox: path.join(root, 'inbox'),
    mcpTasks: path.join(root, 'mcp-tasks'),
  };
}

export function taskDir(paths: DataPaths, id: string): string {
  return path.join(paths.tasks, id);
}

export function ensureDataDir(root: string): DataPaths {
  const paths = dataPaths(root);
  for (const dir of [paths.root, paths.tasks, paths.servers, paths.run, paths.inbox]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  // mkdir's mode is masked by umask and ignored for existing dirs: make sure.
  fs.chmodSync(paths.root, 0o700);
  fs.chmodSync(paths.run, 0o700);
  return paths;
}
