// `npm run bench`: bgbash's speed, memory and context cost, each figure a
// median over repeated runs beside a baseline measured in the same run, and
// bgbash beside Desktop Commander on the same workloads. Writes
// bench/results.json, bench/chart.svg and BENCHMARKS.md.
// BENCH_QUICK=1: a fast smoke run. BENCH_ONLY=scale,burst: only those sections
// (the others keep their stored numbers). BENCH_SKIP=peers: all but those.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bgbash, CLI, connect, load1, log, median, QUICK, ROOT, round, TMP } from './lib.js';
import { peersBench } from './peers.js';
import { mergeResults, writeReport } from './report.js';
import { coldStart } from './sections/cold-start.js';
import { hooksBench } from './sections/hooks.js';
import { contextBench } from './sections/context.js';
import { burst, dispatch } from './sections/dispatch.js';
import { memory } from './sections/memory.js';
import { noticeLatency } from './sections/notice.js';
import { render } from './sections/render.js';
import { scale } from './sections/scale.js';
import { sessions } from './sections/sessions.js';
import { shellState } from './sections/shell-state.js';
import { pipeThroughput, ptyThroughput } from './sections/throughput.js';

/** Section name (for BENCH_ONLY) → the results.json key it fills and how. */
const SECTIONS = [
  ['pty', 'pty_throughput', ptyThroughput],
  ['pipe', 'pipe_throughput', pipeThroughput],
  ['cold', 'cold_start', coldStart],
  ['dispatch', 'dispatch', dispatch],
  ['burst', 'burst', burst],
  ['notice', 'notice_latency', noticeLatency],
  ['memory', 'memory', memory],
  ['scale', 'scale', scale],
  ['sessions', 'sessions', sessions],
  ['shell', 'shell_state', () => shellState({ connect, cli: CLI, root: ROOT, tmp: TMP, median, round, n: QUICK ? 20 : 100 })],
  ['context', 'context', () => contextBench(() => bgbash())],
  ['render', 'render', render],
  ['hooks', 'hooks', hooksBench],
];

const list = (v) => (v ? new Set(v.split(',')) : null);
const only = list(process.env.BENCH_ONLY);
const skip = list(process.env.BENCH_SKIP) ?? new Set();
const want = (name) => (!only || only.has(name)) && !skip.has(name);

const loadAtStart = os.loadavg();
const started = new Date();
const results = {};
for (const [name, key, run] of SECTIONS) {
  if (!want(name)) continue;
  log(`${name}… (load ${load1()})`);
  results[key] = await run();
  log(JSON.stringify(results[key]));
}
const peers = want('peers') ? (log(`peers… (load ${load1()})`), await peersBench()) : undefined;

const loadAtEnd = os.loadavg();
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memory_gb: round(os.totalmem() / 2 ** 30, 1),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  date: started.toISOString(),
  ended: new Date().toISOString(),
  quick: QUICK,
  load: `1-minute load average ${round(loadAtStart[0], 1)} at the start, ${round(loadAtEnd[0], 1)} at the end, on ${os.cpus().length} cores`,
};
const stored = fs.existsSync(path.join(ROOT, 'bench/results.json')) ? JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8')) : {};
const partial = only || skip.size > 0;
mergeResults({ machine, results: partial ? { ...stored.results, ...results } : results, ...(peers ? { peers } : {}) });
writeReport();
fs.rmSync(TMP, { recursive: true, force: true });
log('wrote bench/results.json, bench/chart.svg and BENCHMARKS.md');
process.exit(0);
