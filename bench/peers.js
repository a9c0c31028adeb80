// `npm run bench:peers` (and the `peers` section of `npm run bench`): bgbash beside Desktop Commander (the most installed
// MCP server with process tools) on the same workloads, through the same SDK
// client, in one run: initialize, background dispatch, output throughput,
// peak RSS, and processes left behind after a kill -9 of the server.
// Desktop Commander is installed on first use into a cache outside the repo
// ($XDG_CACHE_HOME/bgbash-bench, else ~/.cache/bgbash-bench).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mergeResults, writeReport } from './report.js';

const PEER = '@wonderwhy-er/desktop-commander';
const PEER_VERSION = '0.2.52';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'bgbash-bench', `desktop-commander-${PEER_VERSION}`);
const TMP = path.join(os.tmpdir(), `bgbash-peers-${process.pid}`);
const log = (msg) => process.stderr.write(msg + '\n');
const now = () => performance.now();
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function peerEntry() {
  const pkgDir = path.join(CACHE, 'node_modules', ...PEER.split('/'));
  const pkgFile = path.join(pkgDir, 'package.json');
  if (!fs.existsSync(pkgFile) || JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version !== PEER_VERSION) {
    log(`installing ${PEER}@${PEER_VERSION} into ${CACHE} (first use)…`);
    fs.mkdirSync(CACHE, { recursive: true });
    // --ignore-scripts: its postinstalls download browsers and binaries the process tools do not use.
    execFileSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--ignore-scripts', `${PEER}@${PEER_VERSION}`], { stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  return path.join(pkgDir, bin ?? pkg.main);
}

/** One MCP server under test: how to start it and how to run the workloads' calls on it. */
function servers(peerMain) {
  const home = path.join(TMP, 'home');
  fs.mkdirSync(path.join(TMP, 'no-config'), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  return [
    {
      name: 'bgbash',
      args: () => [CLI, 'serve', '--data-dir', fs.mkdtempSync(path.join(TMP, 'data-'))],
      env: {},
      // Background start of a command: returns at once with a task id.
      start: async (c, command) => (await call(c, 'bash', { command, background: true })).structuredContent.task_id,
      // Runs a command to its end and returns how many bytes of output the server took in.
      runToEnd: async (c, command) => (await call(c, 'bash', { command, yield_after: 0 })).structuredContent.cursor,
    },
    {
      name: 'Desktop Commander',
      args: () => [peerMain],
      // Its config and telemetry live under HOME: a scratch one.
      env: { HOME: home },
      start: async (c, command) => {
        const r = await call(c, 'start_process', { command, timeout_ms: 1 });
        return /PID (\d+)/.exec(textOf(r))?.[1] ?? null;
      },
      runToEnd: async (c, command) => {
        const r = await call(c, 'start_process', { command, timeout_ms: 600_000 });
        let text = textOf(r);
        const pid = /PID (\d+)/.exec(text)?.[1];
        let bytes = text.length;
        // Read until it reports the process finished.
        while (pid && !/complet|finished|exit code|exited/i.test(text)) {
          const more = await call(c, 'read_process_output', { pid: Number(pid), timeout_ms: 1000 });
          text = textOf(more);
          bytes += text.length;
          if (/no session|not found/i.test(text)) break;
        }
        return bytes;
      },
    },
  ];
}

function textOf(r) {
  return (r.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function call(c, name, args) {
  const r = await c.client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
  if (r.isError) throw new Error(`${name} failed: ${textOf(r).slice(0, 300)}`);
  return r;
}

async function connect(server) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: server.args(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: path.join(TMP, 'no-config'), ...server.env },
    stderr: 'ignore',
    cwd: TMP,
  });
  const client = new Client({ name: 'bench-peers', version: '1' });
  const t0 = now();
  await client.connect(transport);
  return { client, transport, pid: transport.pid, startMs: now() - t0 };
}

function rss(pid, key) {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Processes whose command line contains `needle`, other than ps itself. */
function countProcesses(needle) {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo')).map((l) => Number(l.trim().split(/\s+/)[0]));
}

async function measure(server) {
  const out = {};
  // initialize: spawn → answered, median of 5.
  const inits = [];
  for (let i = 0; i < 5; i++) {
    const c = await connect(server);
    inits.push(c.startMs);
    await c.client.close();
  }
  out.init_ms = round(median(inits));
  log(`${server.name}: init ${out.init_ms} ms`);

  const c = await connect(server);
  // background dispatch of a short-lived command, p50 of 20.
  const lat = [];
  for (let i = 0; i < 20; i++) {
    const t0 = now();
    await server.start(c, 'sleep 0.2');
    lat.push(now() - t0);
  }
  out.dispatch_p50_ms = round(median(lat));
  log(`${server.name}: dispatch p50 ${out.dispatch_p50_ms} ms`);
  await sleep(500);

  // throughput: ~13.5 MB of base64 to the end.
  const t0 = now();
  await server.runToEnd(c, 'head -c 10000000 /dev/zero | base64');
  out.output_13mb_s = round((now() - t0) / 1000, 2);
  out.peak_rss_mb = round(rss(c.pid, 'VmHWM'));
  log(`${server.name}: 13 MB of output ${out.output_13mb_s} s, peak RSS ${out.peak_rss_mb} MB`);

  // kill -9 of the server with a background task that has a child: what is left 2 s later?
  const needle = `sleep 98765${server.name === 'bgbash' ? 1 : 2}`;
  await server.start(c, `bash -c '${needle} & ${needle}; true'`);
  await sleep(1000);
  process.kill(c.pid, 'SIGKILL');
  await sleep(2000);
  const left = countProcesses(needle);
  out.left_after_kill = left.length;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await c.client.close().catch(() => undefined);
  log(`${server.name}: ${out.left_after_kill} processes left after kill -9`);
  return out;
}

/** Both servers through the same workloads; returns the `peers` entry of results.json. */
export async function peersBench() {
  const peerMain = peerEntry();
  const measured = [];
  for (const server of servers(peerMain)) measured.push(await measure(server));
  const [b, d] = measured;
  const rows = [
    { workload: 'initialize', unit: 'ms', bgbash: b.init_ms, peer: d.init_ms },
    { workload: 'background dispatch p50', unit: 'ms', bgbash: b.dispatch_p50_ms, peer: d.dispatch_p50_ms },
    { workload: '13 MB of output, to the end', unit: 's', bgbash: b.output_13mb_s, peer: d.output_13mb_s },
    { workload: 'peak RSS', unit: 'MB', bgbash: b.peak_rss_mb, peer: d.peak_rss_mb },
    { workload: 'processes left 2 s after kill -9', unit: '', bgbash: b.left_after_kill, peer: d.left_after_kill, comment: 'a background `bash -c "sleep & sleep"`' },
  ];
  fs.rmSync(TMP, { recursive: true, force: true });
  return {
    peer: `Desktop Commander ${PEER_VERSION}`,
    date: new Date().toISOString(),
    load: os.loadavg().map((x) => round(x, 1)),
    note: `Measured by \`npm run bench\` (or \`npm run bench:peers\` alone; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, 1-minute load ${round(os.loadavg()[0], 1)} on ${os.cpus().length} cores): both servers started by the same MCP SDK client over stdio, one after the other. Desktop Commander: \`start_process\` (timeout_ms 1 for dispatch), \`read_process_output\` until it reports the end.`,
    rows,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mergeResults({ peers: await peersBench() });
  writeReport();
  log('wrote the peer rows into bench/results.json and BENCHMARKS.md');
  process.exit(0);
}
