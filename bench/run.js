// `npm run bench`: bgbash's speed and memory, each figure a median over
// repeated runs and a ratio against a baseline measured in the same run.
// Writes bench/results.json and BENCHMARKS.md. Run: npm run bench
// (BENCH_QUICK=1 for a fast smoke run with smaller sizes and fewer repeats.)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { mergeResults, writeReport } from './report.js';
import { shellState } from './shell-state.js';
import { contextBench } from './context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const MINIMAL = path.join(ROOT, 'bench/minimal-server.js');
const QUICK = process.env.BENCH_QUICK === '1';
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-'));
const REPEAT = QUICK ? 2 : 3;
// BENCH_ONLY=scale,burst runs only those sections (the others keep their stored numbers).
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const want = (section) => !ONLY || ONLY.has(section);
const loadAtStart = os.loadavg();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const now = () => performance.now();
const env = (extra = {}) => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: path.join(TMP, 'no-config'), ...extra });

async function connect(command, args, extraEnv = {}) {
  const transport = new StdioClientTransport({ command, args, env: env(extraEnv), stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  const t0 = now();
  await client.connect(transport);
  return { client, transport, pid: transport.pid, startMs: now() - t0 };
}

async function bgbash(sets = {}, dataDir = fs.mkdtempSync(path.join(TMP, 'data-'))) {
  const args = [CLI, 'serve', '--data-dir', dataDir];
  for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
  const c = await connect(process.execPath, args);
  c.transport._process?.stdin?.setMaxListeners(0);
  return { ...c, dataDir, call: (name, a) => c.client.callTool({ name, arguments: a }, undefined, { timeout: 600_000 }) };
}

function status(pid, key) {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN; // MiB
}

function timeShell(cmd) {
  const t0 = now();
  execFileSync('bash', ['-c', cmd], { stdio: 'ignore' });
  return now() - t0;
}

const results = {};
const log = (msg) => process.stderr.write(msg + '\n');

// --- throughput ------------------------------------------------------------
const SIZE = process.env.BENCH_SIZE ? Number(process.env.BENCH_SIZE) : QUICK ? 30_000_000 : 150_000_000; // bytes of zeros, base64-encoded: ~1.35x on output
const GEN = `head -c ${SIZE} /dev/zero | base64`;

async function throughput(pty) {
  const srv = await bgbash({ 'output.maxBytes': '8GiB' });
  const ours = [];
  const base = [];
  let bytes = 0;
  for (let i = 0; i < REPEAT; i++) {
    const out = path.join(TMP, 'baseline.out');
    base.push(timeShell(pty ? `script -qfc ${JSON.stringify(GEN)} /dev/null > ${out}` : `${GEN} > ${out}`));
    const baseBytes = fs.statSync(out).size;
    fs.rmSync(out);
    const t0 = now();
    const r = await srv.call('bash', { command: GEN, pty, yield_after: 0 });
    ours.push(now() - t0);
    bytes = r.structuredContent.cursor;
    if (r.structuredContent.state !== 'done') throw new Error(`throughput run failed: ${JSON.stringify(r.structuredContent).slice(0, 300)}`);
    if (Math.abs(bytes - baseBytes) > baseBytes * 0.01) throw new Error(`captured ${bytes} bytes, baseline wrote ${baseBytes}`);
    fs.rmSync(path.join(srv.dataDir, 'tasks', r.structuredContent.task_id), { recursive: true, force: true });
  }
  await srv.client.close();
  const mbps = (ms) => bytes / 1e6 / (ms / 1000);
  return { bytes, bgbash_mb_s: round(mbps(median(ours)), 1), baseline_mb_s: round(mbps(median(base)), 1), ratio: round(median(base) / median(ours)) };
}

if (want('pty')) {
  log('pty throughput…');
  results.pty_throughput = { ...(await throughput(true)), baseline: 'script -qfc CMD /dev/null > file', goal: '>= 0.95x' };
  log(JSON.stringify(results.pty_throughput));
}
if (want('pipe')) {
  log('pipe throughput…');
  results.pipe_throughput = { ...(await throughput(false)), baseline: 'bash -c "CMD > file"', goal: '>= 0.9x' };
  log(JSON.stringify(results.pipe_throughput));
}

// --- cold start --------------------------------------------------------------
if (want('cold')) {
  log('cold start…');
  const ours = [];
  const base = [];
  for (let i = 0; i < (QUICK ? 3 : 10); i++) {
    const m = await connect(process.execPath, [MINIMAL]);
    base.push(m.startMs);
    await m.client.close();
    const b = await bgbash();
    ours.push(b.startMs);
    await b.client.close();
  }
  results.cold_start = { bgbash_ms: round(median(ours), 1), baseline_ms: round(median(base), 1), ratio: round(median(ours) / median(base)), baseline: 'minimal SDK server with one tool', goal: '<= 1.1x' };
  log(JSON.stringify(results.cold_start));
}

// --- dispatch -----------------------------------------------------------------
if (want('dispatch')) {
  log('dispatch…');
  const n = QUICK ? 50 : 200;
  const srv = await bgbash({ 'background.maxConcurrentTasks': 1000 });
  const ours = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await srv.call('bash', { command: 'true', background: true });
    ours.push(now() - t0);
  }
  await srv.client.close();
  const m = await connect(process.execPath, [MINIMAL]);
  const base = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await m.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    base.push(now() - t0);
  }
  await m.client.close();
  results.dispatch = {
    p50_ms: round(pct(ours, 50)),
    p99_ms: round(pct(ours, 99)),
    baseline_p50_ms: round(pct(base, 50)),
    ratio: round(pct(ours, 50) / pct(base, 50)),
    baseline: 'a tool call to the minimal SDK server',
    goal: 'p50 <= 10 ms',
  };
  log(JSON.stringify(results.dispatch));
}

// --- notice latency --------------------------------------------------------------
if (want('burst')) {
  // 150 background `pty: false` calls sent at once, against 150 echo calls at once to the minimal server.
  log('burst dispatch…');
  const calls = 150;
  const burst = async (call) => {
    const lat = await Promise.all(
      Array.from({ length: calls }, async () => {
        const t0 = now();
        const r = await call();
        if (r.isError) throw new Error(`burst call failed: ${JSON.stringify(r.content).slice(0, 300)}`);
        return now() - t0;
      }),
    );
    return lat;
  };
  const ours = [];
  const base = [];
  const m = await connect(process.execPath, [MINIMAL]);
  for (let i = 0; i < REPEAT; i++) {
    base.push(...(await burst(() => m.client.callTool({ name: 'echo', arguments: { text: 'x' } }))));
    const srv = await bgbash();
    ours.push(...(await burst(() => srv.call('bash', { command: 'true', background: true, pty: false }))));
    await srv.client.close();
  }
  await m.client.close();
  results.burst = {
    calls,
    p50_ms: round(pct(ours, 50)),
    p99_ms: round(pct(ours, 99)),
    baseline_p50_ms: round(pct(base, 50)),
    ratio: round(pct(ours, 50) / pct(base, 50)),
    baseline: `${calls} echo calls at once to the minimal SDK server`,
    goal: 'p50 <= 10 ms',
  };
  log(JSON.stringify(results.burst));
}

if (want('notice')) {
  log('notice latency…');
  const n = QUICK ? 10 : 40;
  const srv = await bgbash();
  const notices = new Map();
  srv.client.setNotificationHandler(LoggingMessageNotificationSchema, (msg) => {
    const m = /^\[Task #(\d+) completed\]/.exec(String(msg.params.data));
    if (m) notices.set(m[1], { at: Date.now() + (performance.timeOrigin % 1) * 0, data: String(msg.params.data), hr: performance.timeOrigin + performance.now() });
  });
  const ours = [];
  for (let i = 0; i < n; i++) {
    const r = await srv.call('bg_submit', { command: 'sleep 0.05; date +%s%N' });
    const id = r.structuredContent.task_id;
    while (!notices.has(id)) await new Promise((res) => setTimeout(res, 1));
    const got = notices.get(id);
    const printed = Number(/\n {2}(\d{19})/.exec(got.data)[1]) / 1e6;
    ours.push(got.hr - printed);
  }
  await srv.client.close();
  // Baseline: how long a Node parent takes to see the same command's exit.
  const base = [];
  for (let i = 0; i < n; i++) {
    const seen = await new Promise((resolve) => {
      let out = '';
      const child = spawn('bash', ['-c', 'sleep 0.05; date +%s%N']);
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', () => resolve({ out, hr: performance.timeOrigin + performance.now() }));
    });
    base.push(seen.hr - Number(seen.out.trim()) / 1e6);
  }
  results.notice_latency = {
    p50_ms: round(pct(ours, 50)),
    p99_ms: round(pct(ours, 99)),
    baseline_p50_ms: round(pct(base, 50)),
    ratio: round(pct(ours, 50) / Math.max(0.01, pct(base, 50))),
    baseline: 'child_process exit seen by a Node parent',
    goal: 'p50 <= 50 ms',
  };
  log(JSON.stringify(results.notice_latency));
}

// --- memory --------------------------------------------------------------------------
if (want('memory')) {
  log('memory…');
  const m = await connect(process.execPath, [MINIMAL]);
  const baseRss = status(m.pid, 'VmRSS');
  await m.client.close();
  const peak = async (bytes) => {
    const srv = await bgbash({ 'output.maxBytes': '8GiB' });
    const idle = status(srv.pid, 'VmRSS');
    const r = await srv.call('bash', { command: `head -c ${Math.round(bytes / 1.35)} /dev/zero | base64`, yield_after: 0 });
    const hwm = status(srv.pid, 'VmHWM');
    await srv.client.close();
    fs.rmSync(srv.dataDir, { recursive: true, force: true });
    return { idle, hwm, printed: r.structuredContent.cursor };
  };
  const small = await peak(QUICK ? 10e6 : 100e6);
  const big = await peak(QUICK ? 100e6 : 1e9);
  results.memory = {
    idle_rss_mb: round(small.idle, 1),
    baseline_idle_rss_mb: round(baseRss, 1),
    peak_rss_small_mb: round(small.hwm, 1),
    small_output_mb: round(small.printed / 1e6, 0),
    peak_rss_1gb_mb: round(big.hwm, 1),
    big_output_mb: round(big.printed / 1e6, 0),
    growth_ratio_big_vs_small: round(big.hwm / small.hwm),
    baseline: 'minimal SDK server RSS at rest',
    goal: 'peak <= 85 MB and <= 1.1x the 100 MB figure',
  };
  log(JSON.stringify(results.memory));
}

// --- scale ------------------------------------------------------------------------------
if (want('scale')) {
  log('scale…');
  const n = QUICK ? 200 : 1000;
  const srv = await bgbash({ 'background.maxConcurrentTasks': 10 });
  const t0 = now();
  const submitted = await Promise.all(Array.from({ length: n }, () => srv.call('bg_submit', { command: 'sleep 0.01' })));
  const ids = submitted.map((r) => r.structuredContent.task_id);
  const lat = [];
  for (;;) {
    const q0 = now();
    const st = await srv.call('task_status', {});
    lat.push(now() - q0);
    const c = st.structuredContent.counts;
    if (c.done + c.failed + c.cancelled >= n) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  const wall = now() - t0;
  const states = ids.map((id) => JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'tasks', id, 'record.json'), 'utf8')).state);
  const statusLat = [];
  for (let i = 0; i < 100; i++) {
    const q0 = now();
    await srv.call('task_status', { task_id: ids[Math.floor(Math.random() * ids.length)] });
    statusLat.push(now() - q0);
  }
  const rssWithRecords = status(srv.pid, 'VmRSS');
  await srv.client.close();
  // A fresh server over the same 1,000 records.
  const again = await bgbash({}, srv.dataDir);
  await again.call('task_list', { limit: 1000 });
  const rssFresh = status(again.pid, 'VmRSS');
  await again.client.close();
  const baseWall = timeShell(`seq ${n} | xargs -P 10 -I{} bash -c 'sleep 0.01'`);
  results.scale = {
    tasks: n,
    all_done: states.every((s) => s === 'done'),
    lost: n - states.length,
    not_done: states.filter((s) => s !== 'done').length,
    wall_ms: round(wall, 0),
    baseline_wall_ms: round(baseWall, 0),
    ratio: round(wall / baseWall),
    status_summary_p99_ms_during: round(pct(lat, 99)),
    status_one_p50_ms: round(pct(statusLat, 50)),
    status_one_p99_ms: round(pct(statusLat, 99)),
    rss_with_1000_records_mb: round(rssWithRecords, 1),
    rss_fresh_server_over_1000_records_mb: round(rssFresh, 1),
    baseline: `seq ${n} | xargs -P 10 bash -c 'sleep 0.01'`,
    goal: '<= 2x xargs, all done, none lost; RSS <= 85 MB',
  };
  log(JSON.stringify(results.scale));
}

if (want('shell')) {
  log('shell state…');
  results.shell_state = await shellState({ connect, cli: CLI, root: ROOT, tmp: TMP, median, round, n: QUICK ? 20 : 100 });
  log(JSON.stringify(results.shell_state));
}

if (want('context')) results.context = await contextBench(() => bgbash());

// --- report ----------------------------------------------------------------------------
const loadAtEnd = os.loadavg();
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memory_gb: round(os.totalmem() / 2 ** 30, 1),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  date: new Date().toISOString(),
  quick: QUICK,
  load: `1-minute load average ${round(loadAtStart[0], 1)} at the start, ${round(loadAtEnd[0], 1)} at the end, on ${os.cpus().length} cores`,
};
const stored = fs.existsSync(path.join(ROOT, 'bench/results.json')) ? JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8')) : {};
mergeResults({ machine, results: ONLY ? { ...stored.results, ...results } : results });
writeReport();
fs.rmSync(TMP, { recursive: true, force: true });
log('wrote bench/results.json, bench/chart.svg and BENCHMARKS.md');
process.exit(0);
