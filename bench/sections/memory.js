// Peak memory while a task prints 100 MB and 1 GB (VmHWM of the server),
// against the minimal server at rest.
import fs from 'node:fs';
import { bgbash, daemonGone, load1, minimal, procStatus, QUICK, round } from '../lib.js';

/** The pid of `server`'s child running `script`, or null. */
function childRunning(server, script) {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ')[1];
      if (ppid === String(server) && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(script)) return name;
    } catch {
      /* gone */
    }
  }
  return null;
}

/** The server's helper processes (the spawner that forks its tasks, the watchdog): peak RSS, and PSS now (shared pages split). */
function helpers(server) {
  const out = {};
  for (const name of ['spawner-process', 'watchdog']) {
    const pid = childRunning(server, `${name}.js`);
    if (!pid) continue;
    const pss = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    out[name] = { rss_mb: round(procStatus(pid, 'VmHWM'), 1), pss_mb: pss ? round(Number(pss[1]) / 1024, 1) : null };
  }
  return out;
}

async function peak(bytes) {
  const srv = await bgbash({ 'output.maxBytes': '8GiB' });
  const owner = srv.ownerPid();
  const idle = procStatus(owner, 'VmRSS');
  const r = await srv.call('bash', { command: `head -c ${Math.round(bytes / 1.35)} /dev/zero | base64`, yield_after: 0 });
  const hwm = procStatus(owner, 'VmHWM');
  const helper = helpers(owner);
  await srv.client.close();
  await daemonGone(srv.dataDir);
  fs.rmSync(srv.dataDir, { recursive: true, force: true });
  return { idle, hwm, printed: r.structuredContent.cursor, helper };
}

export async function memory() {
  const loadBefore = load1();
  const m = await minimal();
  const baseRss = procStatus(m.pid, 'VmRSS');
  await m.client.close();
  const small = await peak(QUICK ? 10e6 : 100e6);
  const big = await peak(QUICK ? 100e6 : 1e9);
  return {
    idle_rss_mb: round(small.idle, 1),
    baseline_idle_rss_mb: round(baseRss, 1),
    peak_rss_small_mb: round(small.hwm, 1),
    small_output_mb: round(small.printed / 1e6, 0),
    peak_rss_1gb_mb: round(big.hwm, 1),
    big_output_mb: round(big.printed / 1e6, 0),
    growth_ratio_big_vs_small: round(big.hwm / small.hwm),
    helpers_1gb: big.helper,
    load: [loadBefore, load1()],
    baseline: 'minimal SDK server RSS at rest',
    goal: 'peak <= 85 MB and <= 1.1x the 100 MB figure',
  };
}
