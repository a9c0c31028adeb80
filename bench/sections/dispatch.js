// Dispatch: how long a background `bash` call takes to answer — one at a
// time, and in a burst of 150 `pty: false` calls (back to back, as an agent
// fires them, and all at once) — against echo calls to the minimal server.
import { spawn } from 'node:child_process';
import { bgbash, load1, minimal, now, pct, QUICK, REPEAT, round } from '../lib.js';

/**
 * What starting one process costs on this machine, whoever starts it: Node's
 * spawn() of /bin/true, timed until it returns (it returns once the child
 * has exec'd), from this small client process. A background `bash` call
 * answers only once its task's process runs, so this is on its path.
 */
async function bareSpawn(n) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const child = spawn('/bin/true', [], { stdio: 'ignore' });
    xs.push(now() - t0);
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return pct(xs, 50);
}

export async function dispatch() {
  const loadBefore = load1();
  const n = QUICK ? 50 : 200;
  const srv = await bgbash({ 'background.maxConcurrentTasks': 1000 });
  const ours = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await srv.call('bash', { command: 'true', background: true });
    ours.push(now() - t0);
  }
  await srv.client.close();
  const m = await minimal();
  const base = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await m.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    base.push(now() - t0);
  }
  await m.client.close();
  const spawnP50 = await bareSpawn(n);
  return {
    spawn_p50_ms: round(spawnP50),
    p50_ms: round(pct(ours, 50)),
    p99_ms: round(pct(ours, 99)),
    baseline_p50_ms: round(pct(base, 50)),
    ratio: round(pct(ours, 50) / pct(base, 50)),
    load: [loadBefore, load1()],
    baseline: 'a tool call to the minimal SDK server',
    goal: 'p50 <= 10 ms',
  };
}

const CALLS = 150;

async function timed(call) {
  const t0 = now();
  const r = await call();
  if (r.isError) throw new Error(`burst call failed: ${JSON.stringify(r.content).slice(0, 300)}`);
  return now() - t0;
}

/** Back to back: each call sent as soon as the previous one answered. */
async function inRow(call) {
  const lat = [];
  for (let i = 0; i < CALLS; i++) lat.push(await timed(call));
  return lat;
}

/** All at once: every call sent before the first answer. */
const atOnce = (call) => Promise.all(Array.from({ length: CALLS }, () => timed(call)));

/**
 * 150 background `pty: false` tasks started in a burst, on a fresh server each
 * round (default concurrency limit: 10 run, the rest queue, and the server
 * starts and ends them while it answers).
 */
export async function burst() {
  const loadBefore = load1();
  const row = { ours: [], base: [] };
  const once = { ours: [], base: [] };
  const m = await minimal();
  const echo = () => m.client.callTool({ name: 'echo', arguments: { text: 'x' } });
  for (let i = 0; i < REPEAT; i++) {
    row.base.push(...(await inRow(echo)));
    once.base.push(...(await atOnce(echo)));
    for (const [how, into] of [[inRow, row], [atOnce, once]]) {
      const srv = await bgbash();
      into.ours.push(...(await how(() => srv.call('bash', { command: 'true', background: true, pty: false }))));
      await srv.client.close();
    }
  }
  await m.client.close();
  return {
    calls: CALLS,
    p50_ms: round(pct(row.ours, 50)),
    p99_ms: round(pct(row.ours, 99)),
    baseline_p50_ms: round(pct(row.base, 50)),
    ratio: round(pct(row.ours, 50) / pct(row.base, 50)),
    at_once: {
      p50_ms: round(pct(once.ours, 50)),
      p99_ms: round(pct(once.ours, 99)),
      baseline_p50_ms: round(pct(once.base, 50)),
      ratio: round(pct(once.ours, 50) / pct(once.base, 50)),
    },
    load: [loadBefore, load1()],
    baseline: `${CALLS} echo calls to the minimal SDK server, the same way`,
    goal: 'p50 <= 10 ms',
  };
}
