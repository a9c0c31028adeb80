// Scale: 1,000 background tasks submitted at once with 10 running at a time,
// against `xargs -P 10` running the same commands; every record checked; the
// server's RSS afterwards, and that of a fresh server over the same records.
import fs from 'node:fs';
import path from 'node:path';
import { bgbash, daemonGone, load1, now, pct, procStatus, QUICK, round, timeShell } from '../lib.js';

const REST_MS = QUICK ? 2000 : 15_000;

export async function scale() {
  const loadBefore = load1();
  const n = QUICK ? 200 : 1000;
  const srv = await bgbash({ 'background.maxConcurrentTasks': 10 });
  const t0 = now();
  const submitted = await Promise.all(Array.from({ length: n }, () => srv.call('bg_submit', { command: 'sleep 0.01' })));
  const ids = submitted.map((r) => r.structuredContent.task_id);
  // Progress: a summary task_status every 100 ms (as an agent that checks in would).
  const lat = [];
  for (;;) {
    const q0 = now();
    const st = await srv.call('task_status', {});
    lat.push(now() - q0);
    const c = st.structuredContent.counts;
    if (c.done + c.failed + c.cancelled >= n) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const wall = now() - t0;
  const states = ids.map((id) => JSON.parse(fs.readFileSync(path.join(srv.dataDir, 'tasks', id, 'record.json'), 'utf8')).state);
  const statusLat = [];
  for (let i = 0; i < 100; i++) {
    const q0 = now();
    await srv.call('task_status', { task_id: ids[Math.floor(Math.random() * ids.length)] });
    statusLat.push(now() - q0);
  }
  const owner = srv.ownerPid();
  const rssWithRecords = procStatus(owner, 'VmRSS');
  // V8 gives back what the burst left (old-space garbage) on its own schedule, once allocation has
  // been quiet for a while: the same server after 15 s at rest, for the record (the goal is judged above).
  await new Promise((res) => setTimeout(res, REST_MS));
  const rssRested = procStatus(owner, 'VmRSS');
  await srv.client.close();
  await daemonGone(srv.dataDir);
  // A fresh server over the same records.
  const again = await bgbash({}, srv.dataDir);
  await again.call('task_list', { limit: 1000 });
  const rssFresh = procStatus(again.ownerPid(), 'VmRSS');
  await again.client.close();
  await daemonGone(srv.dataDir);
  const baseWall = timeShell(`seq ${n} | xargs -P 10 -I{} bash -c 'sleep 0.01'`);
  return {
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
    rss_after_rest_mb: round(rssRested, 1),
    rest_s: REST_MS / 1000,
    rss_fresh_server_over_1000_records_mb: round(rssFresh, 1),
    load: [loadBefore, load1()],
    baseline: `seq ${n} | xargs -P 10 bash -c 'sleep 0.01'`,
    goal: '<= 2x xargs, all done, none lost; RSS <= 85 MB',
  };
}
