// The cost of keeping the session's shell state (cd, export) across `bash`
// calls: foreground calls with foreground.keepShellState on, against the same
// calls on a server with it off, interleaved, in pty and pipe mode. Called
// from bench/run.js; the capture must add < 5 ms per call.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const loadNow = () => Math.round(os.loadavg()[0] * 10) / 10;

/**
 * The capture alone, without the MCP round trip's noise: `bash -c true` with
 * the prelude written and the state read back, against plain `bash -c true`,
 * interleaved.
 */
export async function captureAlone({ root, tmp, median, round, n }) {
  const { captureEnv, readCapture } = await import(path.join(root, 'dist/run/state-capture.js'));
  const dir = fs.mkdtempSync(path.join(tmp, 'capture-'));
  const file = path.join(dir, 'shell-state');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SHLVL: '1', A: '1', B: 'two words' };
  const t = { on: [], off: [] };
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    spawnSync('bash', ['-c', 'cd /tmp'], { env, stdio: 'ignore' });
    t.off.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync('bash', ['-c', 'cd /tmp'], { env: { ...env, ...captureEnv(dir, file, env) }, stdio: 'ignore' });
    if (readCapture(file)?.cwd !== '/tmp') throw new Error('shell-state bench: nothing captured');
    t.on.push(performance.now() - t0);
  }
  return { ms: round(median(t.on)), baseline_ms: round(median(t.off)), added_ms: round(median(t.on) - median(t.off)) };
}

/**
 * CPU, not wall: a loaded machine stretches wall time with waits for a core
 * that say nothing about the capture. One bash runs `bash -c 'cd /tmp'` n times
 * with the capture and n times without, and its `times` builtin reports what
 * those children used (user + sys); the difference per call is the capture's
 * own cost, bash's side of it (the Node side, reading the state back, is in
 * the wall figure above).
 */
export async function captureCpu({ root, tmp, round, n }) {
  const { captureEnv } = await import(path.join(root, 'dist/run/state-capture.js'));
  const dir = fs.mkdtempSync(path.join(tmp, 'capture-cpu-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SHLVL: '1', A: '1', B: 'two words' };
  const capture = captureEnv(dir, path.join(dir, 'shell-state'), env);
  const children = (extra) => {
    const script = `for ((i = 0; i < ${n}; i++)); do ${extra} bash -c 'cd /tmp'; done; times`;
    const out = spawnSync('bash', ['-c', script], { env, encoding: 'utf8' }).stdout.trim().split('\n').pop();
    // "0m0.012s 0m0.034s": the children's user and system time.
    const [user, sys] = out.split(/\s+/).map((t) => { const m = /(\d+)m([\d.]+)s/.exec(t); return Number(m[1]) * 60 + Number(m[2]); });
    return ((user + sys) * 1000) / n;
  };
  const t = { on: [], off: [] };
  for (let round_ = 0; round_ < 3; round_++) {
    t.off.push(children(''));
    t.on.push(children(`BASH_ENV=${capture.BASH_ENV} BGBASH_STATE_FILE=${capture.BGBASH_STATE_FILE}`));
  }
  const min = (a) => Math.min(...a);
  return { cpu_ms: round(min(t.on)), baseline_cpu_ms: round(min(t.off)), added_cpu_ms: round(min(t.on) - min(t.off)) };
}

/** Median per-call time with and without the capture, and the difference. */
export async function shellState({ connect, cli, root, tmp, median, round, n }) {
  // SHLVL set for both: without it, bash reads ~/.bashrc in pipe mode (it takes
  // a socket on stdin for rshd), which the capture avoids, and the baseline
  // would measure the user's bashrc instead.
  const server = async (keep) => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
    const c = await connect(process.execPath, [cli, 'serve', '--data-dir', dataDir, '--set', `foreground.keepShellState=${keep}`], { SHLVL: '1' });
    return { ...c, call: (name, a) => c.client.callTool({ name, arguments: a }, undefined, { timeout: 600_000 }) };
  };
  const on = await server(true);
  const off = await server(false);
  const out = { load: [loadNow()], calls: n, goal: '< 5 ms per foreground call', baseline: 'the same call with foreground.keepShellState false' };
  try {
    // A realistic state: a directory and a few exports to carry.
    await on.call('bash', { command: 'cd /tmp && export A=1 B="two words" C=$HOME/x' });
    for (const pty of [true, false]) {
      const t = { on: [], off: [] };
      for (let i = 0; i < n; i++) {
        for (const [key, srv] of i % 2 ? [['on', on], ['off', off]] : [['off', off], ['on', on]]) {
          const t0 = performance.now();
          const r = await srv.call('bash', { command: 'true', pty, yield_after: 0 });
          if (r.isError || r.structuredContent.exit_code !== 0) throw new Error(`shell-state bench: call failed: ${JSON.stringify(r.content)}`);
          t[key].push(performance.now() - t0);
        }
      }
      const mode = pty ? 'pty' : 'pipe';
      out[`${mode}_ms`] = round(median(t.on));
      out[`${mode}_baseline_ms`] = round(median(t.off));
      out[`${mode}_added_ms`] = round(median(t.on) - median(t.off));
    }
  } finally {
    await on.client.close();
    await off.client.close();
  }
  out.capture_alone = await captureAlone({ root, tmp, median, round, n: n * 4 });
  out.capture_cpu = await captureCpu({ root, tmp, round, n: n * 2 });
  // Whole calls carry the scheduler's noise (±ms on a loaded machine); the capture alone is the cost.
  out.met = out.capture_alone.added_ms < 5;
  out.load.push(loadNow());
  return out;
}

/** Its row in BENCHMARKS.md. */
export function shellStateRow(s, ok) {
  const c = s.capture_alone;
  const load = Array.isArray(s.load) ? s.load.join(' → ') : '';
  return (
    `| shell state: capture alone (\`bash -c\` + prelude + read back) | ${c.ms} ms | ${c.baseline_ms} ms (plain \`bash -c\`) | +${c.added_ms} ms | < 5 ms added | ${ok(s.met)} | ${load} |\n` +
    // Results stored before this row existed have no CPU figure.
    (s.capture_cpu ? `| shell state: CPU of the capture (bash's user+sys per call) | ${s.capture_cpu.cpu_ms} ms | ${s.capture_cpu.baseline_cpu_ms} ms (plain \`bash -c\`) | +${s.capture_cpu.added_cpu_ms} ms | measured | | ${load} |\n` : '') +
    `| shell state: foreground \`bash\` call, kept vs not | pty ${s.pty_ms} ms, pipe ${s.pipe_ms} ms | pty ${s.pty_baseline_ms} ms, pipe ${s.pipe_baseline_ms} ms | +${s.pty_added_ms} / +${s.pipe_added_ms} ms | measured | | ${load} |`
  );
}
