// What every benchmark section shares: the paths, the statistics, and how to
// start bgbash or the minimal server under the same SDK client.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');
export const MINIMAL = path.join(ROOT, 'bench/minimal-server.js');
/** BENCH_QUICK=1: a fast smoke run with smaller sizes and fewer repeats. */
export const QUICK = process.env.BENCH_QUICK === '1';
export const REPEAT = QUICK ? 2 : 3;
export const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-'));

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const now = () => performance.now();
export const log = (msg) => process.stderr.write(msg + '\n');
/** The 1-minute load average now, for the figures' notes. */
export const load1 = () => round(os.loadavg()[0], 1);

// A bench's daemon exits with its last session (and task), as a server did before the daemon.
const env = (extra = {}) => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: path.join(TMP, 'no-config'), BGBASH_DAEMON_IDLE_EXIT: '0', ...extra });

/** The pid of the daemon serving a data dir (the process that owns its tasks), or null. */
export function daemonPid(dataDir) {
  const dir = path.join(dataDir, 'servers');
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (info.role === 'daemon' && running(info.pid)) return info.pid;
    } catch {
      /* half-written */
    }
  }
  return null;
}

/** Resolves once no daemon serves the data dir (a closed bench session's daemon exits when idle). */
export async function daemonGone(dataDir) {
  for (const deadline = Date.now() + 20_000; daemonPid(dataDir) !== null && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
}

/** Whether a pid runs: a zombie (a killed daemon nobody reaped yet) does not. */
export function running(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0); // no /proc (macOS)
      return true;
    } catch {
      return false;
    }
  }
}

/** Starts an MCP server over stdio; `startMs` is spawn → initialize answered. */
export async function connect(command, args, extraEnv = {}) {
  const transport = new StdioClientTransport({ command, args, env: env(extraEnv), stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  const t0 = now();
  await client.connect(transport);
  return { client, transport, pid: transport.pid, startMs: now() - t0 };
}

/** A bgbash server with `--set key=value` for each of `sets`, on a fresh data dir (or `dataDir`). */
export async function bgbash(sets = {}, dataDir = fs.mkdtempSync(path.join(TMP, 'data-')), extraArgs = []) {
  const args = [CLI, 'serve', '--data-dir', dataDir, ...extraArgs];
  for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
  const c = await connect(process.execPath, args);
  c.transport._process?.stdin?.setMaxListeners(0);
  // ownerPid: the process that owns the tasks (the daemon; this process itself under --no-daemon).
  return { ...c, dataDir, ownerPid: () => daemonPid(dataDir) ?? c.pid, call: (name, a) => c.client.callTool({ name, arguments: a }, undefined, { timeout: 600_000 }) };
}

export const minimal = () => connect(process.execPath, [MINIMAL]);

/** A field of /proc/PID/status in MiB (VmRSS, VmHWM). */
export function procStatus(pid, key) {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Wall time of a shell command, in ms. */
export function timeShell(cmd) {
  const t0 = now();
  execFileSync('bash', ['-c', cmd], { stdio: 'ignore' });
  return now() - t0;
}
