/**
 * What opencode installs before it loads a plugin, installed once into the
 * cache instead. For every config folder (here `$HOME/.config/opencode`)
 * opencode 1.18.33 runs an npm install of `@opencode-ai/plugin` unless that
 * folder already has a `node_modules` and a package-lock.json listing every
 * dependency of its package.json. At test time that install would go to the
 * network (27 packages, ~30 s when the registry answers, a stall when it does
 * not). So the cache holds that folder's npm install, made with npm from the
 * registry on first use, and each workspace gets its package.json, its lock,
 * and a link to its node_modules: opencode finds nothing to install.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot, CLIS } from './clis.js';

const PKG = '@opencode-ai/plugin';

/** opencode asks for the plugin SDK of its own version. */
function version(): string {
  return CLIS['opencode-1.18.33'].version;
}

export function pluginDepsDir(): string {
  return path.join(cacheRoot(), `opencode-ai-plugin@${version()}`);
}

/** True when the cache holds the install, complete (the lock is written last). */
export function pluginDepsCached(): boolean {
  const dir = pluginDepsDir();
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    return lock.packages?.['']?.dependencies?.[PKG] === version() && lock.packages?.[`node_modules/${PKG}`]?.version === version();
  } catch {
    return false;
  }
}

/** Installs `@opencode-ai/plugin` at opencode's version into the cache when missing (npm, from the registry). */
export function ensurePluginDeps(): string {
  const dir = pluginDepsDir();
  if (pluginDepsCached()) return dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private": true}\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', '--save-exact', `${PKG}@${version()}`], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 10 * 60_000,
  });
  if (!pluginDepsCached()) throw new Error(`installed ${PKG}@${version()} into ${dir}, but its package-lock.json does not list it`);
  return dir;
}

/** Gives opencode's config folder the cached install, so opencode has nothing to fetch. */
export function seedPluginDeps(configDir: string): void {
  const dir = ensurePluginDeps();
  fs.mkdirSync(configDir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(dir, f), path.join(configDir, f));
  // A link, not a copy (63 MB): nothing writes to it, since opencode sees the install as complete.
  fs.symlinkSync(path.join(dir, 'node_modules'), path.join(configDir, 'node_modules'), 'dir');
}
