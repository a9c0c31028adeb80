/**
 * A throwaway world for one agent run: its own HOME (so no real config is
 * read or written), a project folder, a bgbash data dir, a `bin/` with a
 * `bgbash` shim on PATH, and this checkout as the installed `bgbash-mcp` in
 * the root's node_modules (npm's prefix for the project folder, which has no
 * package.json), so plugin files that say `npx -y bgbash-mcp serve` /
 * `bgbash hook …` run this checkout's build exactly as shipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, tempDir } from '../../helpers/server.js';

export interface Workspace {
  root: string;
  home: string;
  project: string;
  dataDir: string;
  bin: string;
  /** Environment for the agent CLI (and so for the bgbash it starts and the hooks it runs). */
  env: Record<string, string>;
  /** `node dist/cli/main.js serve …` as an MCP server entry. */
  server: { command: string; args: string[] };
  write(rel: string, content: string | object): string;
}

/**
 * `opts.defaultDataDir`: no BGBASH_DATA_DIR, so bgbash and its hooks use the default
 * ($HOME/.local/state/bgbash) as a user's would — for configs `bgbash install` writes.
 */
export function workspace(extraEnv: Record<string, string> = {}, opts: { defaultDataDir?: boolean } = {}): Workspace {
  const root = tempDir('bgbash-agent-');
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  const dataDir = opts.defaultDataDir ? path.join(home, '.local', 'state', 'bgbash') : path.join(root, 'data');
  const bin = path.join(root, 'bin');
  for (const d of [home, project, dataDir, bin]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(bin, 'bgbash'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
  fs.mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(root, 'node_modules', 'bgbash-mcp'));
  fs.symlinkSync(CLI, path.join(root, 'node_modules', '.bin', 'bgbash'));
  // npx runs the bin named like the package (bgbash-mcp has three: bgbash, bgbash-mcp, bgbash-hook).
  fs.symlinkSync(CLI, path.join(root, 'node_modules', '.bin', 'bgbash-mcp'));
  const env: Record<string, string> = {
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    USER: process.env.USER ?? 'root',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    // npx finds the bgbash-mcp above without asking the registry (checked with an unreachable registry URL).
    npm_config_update_notifier: 'false',
    ...(opts.defaultDataDir ? {} : { BGBASH_DATA_DIR: dataDir }),
    ...extraEnv,
  };
  const write = (rel: string, content: string | object): string => {
    const file = path.isAbsolute(rel) ? rel : path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
    return file;
  };
  return { root, home, project, dataDir, bin, env, server: { command: process.execPath, args: [CLI, 'serve', '--data-dir', dataDir] }, write };
}

export const PLUGINS = path.join(ROOT, 'plugins');
