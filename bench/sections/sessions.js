// Several agent sessions on one machine, one daemon (issue 21): what each
// additional session costs in memory, how fast a session's first answer comes
// when the daemon already runs, and 1,000 tasks from 4 sessions at once sharing
// one budget of 10, against `xargs -P 10`, with how evenly the sessions finish.
// Baselines in the same run: the same sessions served --no-daemon (each its own
// server, spawner and watchdog), the minimal SDK server, xargs.
import fs from 'node:fs';
import path from 'node:path';
import { bgbash, daemonGone, daemonPid, load1, median, minimal, now, procStatus, QUICK, round, TMP, timeShell } from '../lib.js';

/** RSS (MiB) of a process and all its descendants. */
function treeRss(root) {
  const kids = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(name));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  for (const stack = [root]; stack.length; ) {
    const pid = stack.pop();
    try {
      total += procStatus(pid, 'VmRSS');
    } catch {
      /* gone */
    }
    stack.push(...(kids.get(pid) ?? []));
  }
  return total;
}

/** Memory of `n` sessions on one data dir: everything they run, daemon included. */
async function sessionsRss(n, sets) {
  const dataDir = fs.mkdtempSync(path.join(TMP, 'data-'));
  const open = [];
  const totals = [];
  for (let i = 0; i < n; i++) {
    const s = await bgbash(sets, dataDir);
    await s.call('bash', { command: 'true' });
    open.push(s);
    // Settled: a moment for each process's start-up garbage to go.
    await new Promise((r) => setTimeout(r, 500));
    const daemon = daemonPid(dataDir);
    totals.push(open.reduce((sum, o) => sum + treeRss(o.pid), 0) + (daemon ? treeRss(daemon) : 0));
  }
  for (const s of open) await s.client.close();
  await daemonGone(dataDir);
  return totals;
}

/** 1,000 tasks from 4 sessions at once, limit 10: wall time, records, and each session's last end. */
async function fourSessions(n) {
  const dataDir = fs.mkdtempSync(path.join(TMP, 'data-'));
  const sets = { 'background.maxConcurrentTasks': 10 };
  const sessions = [];
  for (let i = 0; i < 4; i++) sessions.push(await bgbash(sets, dataDir));
  const t0 = now();
  // Four agents submitting at the same time: their calls go out interleaved (the first of each, then the
  // second of each, …), not one session's 250 before the next session's first.
  const calls = sessions.map(() => []);
  for (let i = 0; i < n / 4; i++) sessions.forEach((s, k) => calls[k].push(s.call('bg_submit', { command: 'sleep 0.01' }).then((r) => r.structuredContent.task_id)));
  const per = await Promise.all(calls.map((list) => Promise.all(list)));
  const ids = per.flat();
  for (;;) {
    const st = await sessions[0].call('task_status', {});
    const c = st.structuredContent.counts;
    if (c.done + c.failed + c.cancelled >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const wall = now() - t0;
  const rec = (id) => JSON.parse(fs.readFileSync(path.join(dataDir, 'tasks', id, 'record.json'), 'utf8'));
  // Each session's last task end (epoch ms): fair sharing ends the four close together.
  const lastEnd = per.map((list) => Math.max(...list.map((id) => Date.parse(rec(id).ended_at))));
  const states = ids.map((id) => rec(id).state);
  for (const s of sessions) await s.client.close();
  await daemonGone(dataDir);
  return { wall, states, spreadRatio: (Math.max(...lastEnd) - Math.min(...lastEnd)) / wall };
}

export async function sessions() {
  const loadBefore = load1();
  const n = QUICK ? 3 : 5;
  const daemon = await sessionsRss(n, {});
  // The same sessions, each its own server (serve --no-daemon): what every session cost before the daemon.
  const before = await sessionsRssNoDaemon(n);
  const added = (xs) => (xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : NaN);

  // First answer with the daemon already running, against the minimal SDK server, interleaved.
  const dataDir = fs.mkdtempSync(path.join(TMP, 'data-'));
  const keep = await bgbash({ 'daemon.idleExit': '10m' }, dataDir);
  const warm = [];
  const base = [];
  for (let i = 0; i < (QUICK ? 3 : 10); i++) {
    const m = await minimal();
    base.push(m.startMs);
    await m.client.close();
    const s = await bgbash({}, dataDir);
    warm.push(s.startMs);
    await s.client.close();
  }
  await keep.client.close();
  process.kill(daemonPid(dataDir) ?? 0, 'SIGTERM');
  await daemonGone(dataDir);

  const tasks = QUICK ? 200 : 1000;
  const four = await fourSessions(tasks);
  const xargs = timeShell(`seq ${tasks} | xargs -P 10 -I{} bash -c 'sleep 0.01'`);
  return {
    sessions: n,
    rss_total_mb_by_sessions: daemon.map((x) => round(x, 1)),
    added_per_session_mb: round(added(daemon), 1),
    baseline_no_daemon_total_mb_by_sessions: before.map((x) => round(x, 1)),
    baseline_added_per_session_mb: round(added(before), 1),
    first_answer_daemon_running_ms: round(median(warm), 1),
    baseline_minimal_ms: round(median(base), 1),
    first_answer_ratio: round(median(warm) / median(base)),
    four_sessions_tasks: tasks,
    four_sessions_wall_ms: round(four.wall, 0),
    xargs_wall_ms: round(xargs, 0),
    four_sessions_ratio: round(four.wall / xargs),
    four_sessions_lost: tasks - four.states.length,
    four_sessions_not_done: four.states.filter((s) => s !== 'done').length,
    last_end_spread_of_wall: round(four.spreadRatio, 3),
    load: [loadBefore, load1()],
    goal: 'added per session <= 50 MB; first answer (daemon running) <= 1.1x minimal; 4 sessions <= 2x xargs, none lost, last ends within 10% of each other',
  };
}

/** `sessionsRss` with each session served --no-daemon: n whole servers. */
async function sessionsRssNoDaemon(n) {
  const open = [];
  const totals = [];
  const dataDir = fs.mkdtempSync(path.join(TMP, 'data-'));
  for (let i = 0; i < n; i++) {
    const s = await bgbash({}, dataDir, ['--no-daemon']);
    await s.call('bash', { command: 'true' });
    open.push(s);
    await new Promise((r) => setTimeout(r, 500));
    totals.push(open.reduce((sum, o) => sum + treeRss(o.pid), 0));
  }
  for (const s of open) await s.client.close();
  return totals;
}
