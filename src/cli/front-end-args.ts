/**
 * What a `bgbash serve` front-end needs from its command line and config
 * before it can reach a daemon: the serve flags, and the data dir (which
 * names the daemon). Read in the launcher, so only node: modules and leaves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTrustedProject } from '../config/project-trust.js';

export interface FrontEndArgs {
  dataDir?: string;
  configFile?: string;
  overrides: Record<string, string>;
  session?: string;
  /** The flags as given, passed on to a daemon this front-end starts. */
  passOn: string[];
}

/** The serve flags a front-end understands; null: something else is there (the full CLI parses and reports it). */
export function frontEndArgs(argv: string[]): FrontEndArgs | null {
  const out: FrontEndArgs = { overrides: {}, passOn: [] };
  const rest = argv.filter((a, i) => !(a === 'serve' && argv.indexOf('serve') === i));
  for (let i = 0; i < rest.length; i++) {
    const m = /^--(data-dir|config|set|session)(?:=(.*))?$/.exec(rest[i]);
    if (!m) return null;
    let value = m[2] ?? rest[++i];
    if (value === undefined) return null;
    // The daemon runs in /: a relative path means the agent's directory, so it goes on absolute.
    if (m[1] === 'config' || m[1] === 'data-dir') value = path.resolve(value);
    if (m[1] === 'data-dir') out.dataDir = value;
    else if (m[1] === 'config') out.configFile = value;
    else if (m[1] === 'session') out.session = value;
    else {
      const eq = value.indexOf('=');
      if (eq <= 0) return null;
      out.overrides[value.slice(0, eq)] = value.slice(eq + 1);
    }
    if (m[1] !== 'session') out.passOn.push(`--${m[1]}`, value);
  }
  return out;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** The data dir, decided as loadConfig does (flags, env, project config if trusted, user config, default). */
export function resolveDataDir(args: FrontEndArgs, env: NodeJS.ProcessEnv, cwd: string): string {
  const fromFlags = args.overrides.dataDir ?? args.dataDir;
  if (fromFlags) return path.resolve(fromFlags);
  if (env.BGBASH_DATA_DIR) return path.resolve(env.BGBASH_DATA_DIR);
  const userFile = path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'bgbash', 'config.json');
  const user = readJson(userFile);
  const explicit = args.configFile ?? env.BGBASH_CONFIG;
  const projectFile = explicit ?? path.join(cwd, 'bgbash.config.json');
  const project = readJson(projectFile);
  const trusted = Array.isArray(user?.trustedProjects) ? (user.trustedProjects as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  if (typeof project?.dataDir === 'string' && (explicit || isTrustedProject(projectFile, trusted))) return path.resolve(path.dirname(projectFile), project.dataDir);
  if (typeof user?.dataDir === 'string') return path.resolve(user.dataDir);
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'bgbash');
}
