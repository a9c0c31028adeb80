/**
 * The real agent CLIs at pinned versions, installed from npm into a cache
 * outside the repo (BGBASH_AGENTS_CACHE, default ~/.cache/bgbash-agents) on
 * first use. Each version gets its own npm prefix, so two Claude Code
 * versions live side by side. Claude Code ships a native binary (its npm
 * `engines` says Node ≥ 22, but the binary does not use the Node that runs
 * npm), so Node 20 is enough for all five.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pins from '../clis.json' with { type: 'json' };

export interface CliSpec {
  /** npm package and version. */
  pkg: string;
  version: string;
  bin: string;
}

export const CLIS = pins as Record<CliId, CliSpec>;

export type CliId = 'claude-2.1.330' | 'claude-2.1.197' | 'codex-0.169.0' | 'opencode-1.18.33' | 'gemini-0.61.0';

export function cacheRoot(): string {
  return process.env.BGBASH_AGENTS_CACHE || path.join(os.homedir(), '.cache', 'bgbash-agents');
}

function prefixOf(spec: CliSpec): string {
  return path.join(cacheRoot(), `${spec.pkg.replace(/^@/, '').replace('/', '-')}@${spec.version}`);
}

/** The CLI's executable if the cache holds the pinned version (read from its package.json: `--version` takes seconds). */
export function cachedBin(id: CliId): string | null {
  const spec = CLIS[id];
  const prefix = prefixOf(spec);
  const bin = path.join(prefix, 'node_modules', '.bin', spec.bin);
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', spec.pkg, 'package.json'), 'utf8')) as { version?: string };
    return version === spec.version && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Installs the pinned CLI into the cache when it is missing; returns its executable. */
export function ensureCli(id: CliId): string {
  const have = cachedBin(id);
  if (have) return have;
  const spec = CLIS[id];
  const prefix = prefixOf(spec);
  fs.mkdirSync(prefix, { recursive: true });
  if (!fs.existsSync(path.join(prefix, 'package.json'))) fs.writeFileSync(path.join(prefix, 'package.json'), '{"private": true}\n');
  // Install scripts stay on: Claude Code's postinstall puts its native binary in place.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `${spec.pkg}@${spec.version}`], {
    cwd: prefix,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  const bin = cachedBin(id);
  if (!bin) throw new Error(`installed ${spec.pkg}@${spec.version} into ${prefix}, but found no ${spec.bin} of that version there`);
  // A broken download shows here, once, rather than as a confusing scenario failure.
  const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 120_000 });
  if (!out.includes(spec.version)) throw new Error(`${bin} --version says ${out.trim()}, not ${spec.version}`);
  return bin;
}
