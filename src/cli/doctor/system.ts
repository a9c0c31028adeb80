/** `bgbash doctor`'s checks of this machine: Node, the pty, the data dir, the servers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { closeAll, connectAll } from '../../control/discovery.js';
import { printable } from '../../shared/printable.js';
import { startPty } from '../../run/pty-runner.js';
import type { DataPaths } from '../../store/data-dir.js';
import { liveServers } from '../../core/live-servers.js';
import { check, type Check } from './check.js';

export function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? check('node', 'ok', `Node.js ${process.versions.node}`)
    : check('node', 'fail', `Node.js ${process.versions.node} is too old: bgbash needs 20 or newer`, 'install Node.js 20 or newer (https://nodejs.org)');
}

/** Which prebuilt pty package this platform loads, with its version. */
function ptyBackend(): string {
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string | null => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return null;
    }
  };
  const platform = `@lydell/node-pty-${process.platform}-${process.arch}`;
  const main = version('@lydell/node-pty');
  const prebuilt = version(platform);
  return `@lydell/node-pty ${main ?? '?'}${prebuilt ? ` (prebuilt ${platform} ${prebuilt})` : ''}`;
}

/** Runs `tty` under a pseudo-terminal, the way every pty task starts. */
export async function ptyCheck(timeoutMs = 20_000): Promise<Check> {
  let backend = '@lydell/node-pty';
  try {
    backend = ptyBackend();
    const proc = await startPty({ file: '/bin/sh', args: ['-c', 'tty'], cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb' }, cols: 80, rows: 24 });
    let out = '';
    proc.onData((chunk) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      proc.onExit((s) => (clearTimeout(timer), resolve(s.exit_code)));
    });
    proc.dispose();
    const tty = /\/dev\/\S+/.exec(out)?.[0];
    if (code !== 0 || !tty) throw new Error(`\`tty\` under it printed ${JSON.stringify(printable(out).trim().slice(0, 60))} (exit ${code})`);
    return check('pty', 'ok', `${backend} runs commands under a terminal (${tty})`);
  } catch (err) {
    return check(
      'pty',
      'fail',
      `${backend} does not work: ${printable((err as Error).message).split('\n')[0]}; tasks with pty: true fail`,
      'reinstall bgbash-mcp (npm install -g bgbash-mcp); pty: false runs tasks with pipes meanwhile',
    );
  }
}

/** The data dir and run/ (sockets) are the user's alone: 0700, owned by them. */
export function dataDirCheck(paths: DataPaths): Check {
  const root = paths.root;
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    return check('data dir', 'warn', `${root} does not exist yet: the first \`bgbash serve\` creates it`);
  }
  if (!st.isDirectory()) return check('data dir', 'fail', `${root} is not a directory`, `move it away; bgbash needs a directory there (or set dataDir)`);
  const uid = process.getuid?.();
  const problems: string[] = [];
  const fixes: string[] = [];
  for (const dir of [root, paths.run]) {
    let s: fs.Stats;
    try {
      s = fs.statSync(dir);
    } catch {
      continue; // run/ appears with the first server
    }
    if (uid !== undefined && s.uid !== uid) problems.push(`${dir} belongs to uid ${s.uid}, not you (${uid})`), fixes.push(`chown -R ${uid} ${root}`);
    if (s.mode & 0o077) problems.push(`${dir} is mode ${(s.mode & 0o777).toString(8)} (others can reach your tasks)`), fixes.push(`chmod 700 ${dir}`);
  }
  for (const name of safeList(paths.run)) {
    if (!name.endsWith('.sock')) continue;
    const sock = path.join(paths.run, name);
    const s = fs.lstatSync(sock, { throwIfNoEntry: false });
    if (s && s.mode & 0o077) problems.push(`socket ${sock} is mode ${(s.mode & 0o777).toString(8)}`), fixes.push(`chmod 600 ${sock}`);
  }
  try {
    fs.accessSync(root, fs.constants.W_OK);
  } catch {
    problems.push(`${root} is not writable by you`);
  }
  if (problems.length) return check('data dir', 'fail', printable(problems.join('; ')), fixes.length ? [...new Set(fixes)].join(' && ') : undefined);
  return check('data dir', 'ok', `${root} (yours, 0700)`);
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Registered servers that are alive, and whether each answers on its control socket. */
export async function serversCheck(paths: DataPaths): Promise<Check> {
  const all = liveServers(paths);
  // Agent sessions are what a person counts; the daemon that owns their tasks is named after them.
  const daemons = all.filter((s) => s.role === 'daemon');
  const live = all.filter((s) => s.role !== 'daemon');
  const owner = daemons.length ? `; tasks owned by daemon ${daemons.map((d) => `${d.id} (pid ${d.pid})`).join(', ')}` : '';
  if (all.length === 0) return check('servers', 'ok', 'none running (an agent starts one when it needs it)');
  if (live.length === 0) return check('servers', 'ok', `no agent session${owner} (it exits when idle: bgbash daemon status)`);
  const conns = await connectAll(paths);
  try {
    const answering = new Set<string>();
    await Promise.all(conns.map(async (c) => (await withTimeout(c.client.request('hello', {}), 5000).catch(() => null)) && answering.add(c.info.id)));
    const describe = (id: string, pid: number, client: string | null): string => `${id} (pid ${pid}${client ? `, ${printable(client).slice(0, 40)}` : ''})`;
    const silent = live.filter((s) => !answering.has(s.id));
    const fine = live.filter((s) => answering.has(s.id)).map((s) => describe(s.id, s.pid, s.client));
    if (silent.length === 0) return check('servers', 'ok', `${live.length} running: ${fine.join(', ')}${owner}`);
    return check(
      'servers',
      'warn',
      `${silent.map((s) => describe(s.id, s.pid, s.client)).join(', ')} ${silent.length === 1 ? 'does' : 'do'} not answer on ${silent.length === 1 ? 'its' : 'their'} control socket (starting up, or stuck)${fine.length ? `; answering: ${fine.join(', ')}` : ''}`,
      `run doctor again; if it stays, restart the agent (or kill ${silent.map((s) => s.pid).join(' ')})`,
    );
  } finally {
    closeAll(conns);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e)));
  });
}
