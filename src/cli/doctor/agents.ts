/**
 * `bgbash doctor`'s checks of the agents `bgbash install` knows: is bgbash in
 * their config, and does the configured command start a working bgbash?
 *
 * A project's config may come from a repository someone else wrote, so doctor
 * runs only commands that are bgbash's own (`npx -y bgbash-mcp …`, run from
 * the home directory so a project's node_modules is never used; `bgbash` from
 * PATH; node + a bgbash CLI file in a user config or this install) and asks
 * each for `--version`. Anything else is reported, never run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printable } from '../../shared/printable.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import { findExecutable } from '../../run/runners.js';
import { AGENTS, hookCommands, isOurHook, readConfig, type AgentConfig, type Launch, type Scope } from '../agent-configs.js';
import { check, firstProblem, runQuietly, type Check } from './check.js';

const PACKAGE = 'bgbash-mcp';

const shown = (l: Launch): string => printable([l.command, ...l.args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' '));
const tilde = (file: string): string => (file.startsWith(os.homedir() + path.sep) ? `~${file.slice(os.homedir().length)}` : file);

/** The nearest package.json's name above a file: is this file a bgbash CLI? */
function packageName(file: string): string | null {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? null;
    } catch {
      /* keep going up */
    }
    if (path.dirname(dir) === dir) return null;
  }
}

const inside = (file: string, dir: string): boolean => {
  const rel = path.relative(dir, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
};

type Plan = { run: { file: string; args: string[]; cwd?: string } } | { skip: string } | { broken: string; fix: string };

/** How to ask a configured launch for bgbash's version, if doctor may. */
function plan(l: Launch, scope: Scope): Plan {
  const serve = l.args.indexOf('serve');
  const before = serve >= 0 ? l.args.slice(0, serve) : l.args;
  if (serve < 0) return { broken: `starts \`${shown(l)}\`, which has no \`serve\``, fix: 'the args must end with serve' };
  const base = path.basename(l.command).replace(/\.(cmd|exe)$/, '');
  if (base === 'npx') {
    if (!before.some((a) => a === PACKAGE || a.startsWith(`${PACKAGE}@`))) return { skip: `starts \`${shown(l)}\`, not ${PACKAGE}` };
    const npx = findExecutable(l.command);
    if (!npx) return { broken: `starts \`${shown(l)}\`, but npx is not on PATH`, fix: 'install Node.js 20 or newer (npx comes with npm)' };
    return { run: { file: npx, args: [...before, '--version'], cwd: os.homedir() } };
  }
  if (base === 'bgbash') {
    const bin = findExecutable(l.command);
    if (!bin) return { broken: `starts \`${shown(l)}\`, but ${l.command} is not on PATH`, fix: `npm install -g ${PACKAGE}, or use npx -y ${PACKAGE} serve` };
    return { run: { file: bin, args: [...before, '--version'] } };
  }
  const script = before.find((a) => a.endsWith('.js'));
  if (/^node(js)?$/.test(base) || l.command === process.execPath) {
    if (!script) return { skip: `starts \`${shown(l)}\`, not a bgbash CLI file` };
    const file = path.resolve(script);
    if (!fs.existsSync(file)) return { broken: `starts \`${shown(l)}\`, but ${printable(file)} does not exist`, fix: 'build that checkout (npm ci), or use npx -y bgbash-mcp serve' };
    const name = packageName(file);
    if (name !== PACKAGE && name !== 'bgbash') return { skip: `starts \`${shown(l)}\`, which is not a bgbash CLI file` };
    if (scope === 'project' && !inside(fs.realpathSync(file), fs.realpathSync(PACKAGE_ROOT))) return { skip: `starts a bgbash checkout at ${printable(file)} (not run: a project's own command)` };
    const node = findExecutable(l.command);
    if (!node) return { broken: `starts \`${shown(l)}\`, but ${printable(l.command)} is not on PATH`, fix: 'install Node.js 20 or newer' };
    return { run: { file: node, args: [...before, '--version'] } };
  }
  return { skip: `starts \`${shown(l)}\`, which is not bgbash's own command (not run)` };
}

/** Hook commands of this agent that cannot run: `bgbash hook …` with no bgbash on PATH, a node CLI file that is gone. */
function brokenHooks(agent: string, root: unknown): string | null {
  for (const cmd of hookCommands(root).filter((c) => isOurHook(c, agent))) {
    const head = cmd.slice(0, cmd.indexOf(`hook ${agent}`)).trim();
    if (head === 'bgbash' && !findExecutable('bgbash')) return `its hooks run \`${printable(cmd)}\`, but bgbash is not on PATH`;
    if (head.startsWith('npx') && !findExecutable('npx')) return `its hooks run \`${printable(cmd)}\`, but npx is not on PATH`;
    if (/^node\s/.test(head) && !findExecutable('node')) return `its hooks run \`${printable(cmd)}\`, but node is not on PATH`;
    const words = [...head.matchAll(/"([^"]+)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const gone = words.find((f) => path.isAbsolute(f) && !fs.existsSync(f));
    if (gone) return `its hooks run ${printable(gone)}, which does not exist`;
  }
  return null;
}

async function checkOne(agent: string, cfg: AgentConfig, scope: Scope, file: string, l: Launch, installed: boolean, timeoutMs: number): Promise<Check> {
  const name = `${cfg.title} (${scope})`;
  const where = tilde(printable(file));
  const reinstall = `bgbash install ${agent} --${scope} after removing the bgbash entry from ${where}`;
  const p = plan(l, scope);
  if ('skip' in p) return check(name, 'warn', `${where} ${p.skip}`);
  if ('broken' in p) return check(name, 'fail', `${where} ${p.broken}`, `${p.fix}; or ${reinstall}`);
  const r = await runQuietly(p.run.file, p.run.args, { cwd: p.run.cwd, env: process.env, timeoutMs });
  const version = /^\d+\.\d+\.\d+\S*/.exec(r.stdout.trim())?.[0];
  if (r.code !== 0 || !version) return check(name, 'fail', `${where} starts \`${shown(l)}\`, which fails: ${printable(firstProblem(r))}`, reinstall);
  let hooksRoot: unknown = null;
  try {
    hooksRoot = cfg.hooksFile ? readConfig(cfg.hooksFile(scope)) : null;
  } catch {
    /* a broken hooks file is reported by the agent itself; the server entry is what is checked here */
  }
  const hooks = brokenHooks(agent, hooksRoot);
  if (hooks) return check(name, 'fail', `${where}: the server starts (bgbash ${version}); ${hooks}`, `npm install -g ${PACKAGE}, or ${reinstall}`);
  if (!installed) return check(name, 'warn', `${where} starts bgbash ${version}, but ${cfg.bins.join(' / ')} is not on PATH (is ${cfg.title} installed?)`);
  return check(name, 'ok', `${where} starts \`${shown(l)}\` → bgbash ${version}`);
}

/** One check per agent config that names bgbash, one per installed agent without it, and one for the rest. */
export async function agentChecks(timeoutMs = 60_000): Promise<Check[]> {
  const out: Array<Promise<Check>> = [];
  const absent: string[] = [];
  for (const [agent, cfg] of Object.entries(AGENTS)) {
    const installed = cfg.bins.some((b) => findExecutable(b));
    let found = false;
    for (const scope of cfg.scopes) {
      const file = cfg.mcpFile(scope);
      let root: unknown;
      try {
        root = readConfig(file);
      } catch (err) {
        found = true;
        out.push(Promise.resolve(check(`${cfg.title} (${scope})`, 'fail', `${tilde(printable(file))}: ${printable((err as Error).message)}`, `fix or remove that file, then bgbash install ${agent} --${scope}`)));
        continue;
      }
      const entry = root === null ? undefined : cfg.entry(root);
      if (!entry) continue;
      found = true;
      out.push(checkOne(agent, cfg, scope, file, entry, installed, timeoutMs));
    }
    if (found) continue;
    if (installed) out.push(Promise.resolve(check(cfg.title, 'warn', `installed, but bgbash is not in its config`, `bgbash install ${agent}`)));
    else absent.push(cfg.title);
  }
  const checks = await Promise.all(out);
  if (absent.length) checks.push(check('other agents', 'ok', `not installed and not configured: ${absent.join(', ')}`));
  return checks;
}
