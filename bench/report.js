// BENCHMARKS.md and bench/chart.svg from bench/results.json (no network).
// Called by bench/run.js and bench/peers.js after they write their numbers;
// `node bench/report.js` re-renders from the stored results.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellStateRow } from './sections/shell-state.js';
import { contextRows } from './sections/context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'bench/results.json');

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const ok = (cond) => (cond ? 'met' : '**missed**');
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Reads results.json, merges `patch` into it (top-level keys), writes it back. */
export function mergeResults(patch) {
  const current = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : {};
  const next = { ...current, ...patch };
  fs.writeFileSync(RESULTS, JSON.stringify(next, null, 2) + '\n');
  return next;
}

/**
 * The figures of #14 as rows: what bgbash did, the baseline, and `cost`:
 * bgbash's time or memory over the baseline's (1 = as good as the machine).
 */
function figures(r) {
  const rows = [];
  const add = (row) => rows.push(row);
  // Each section records the 1-minute load average before and after it ran.
  const loadOf = (x) => (Array.isArray(x?.load) ? x.load : null);
  if (r.pty_throughput) {
    const t = r.pty_throughput;
    add({ name: `pty throughput (${round(t.bytes / 1e6, 0)} MB)`, ours: `${t.bgbash_mb_s} MB/s`, base: `${t.baseline_mb_s} MB/s (\`script -qfc\`)`, ratio: `${t.ratio}×`, goal: '≥ 0.95×', met: t.ratio >= 0.95, cost: 1 / t.ratio, goalCost: 1 / 0.95, short: 'pty throughput', load: t.load });
  }
  if (r.pipe_throughput) {
    const t = r.pipe_throughput;
    add({ name: `pipe throughput (\`pty: false\`, ${round(t.bytes / 1e6, 0)} MB)`, ours: `${t.bgbash_mb_s} MB/s`, base: `${t.baseline_mb_s} MB/s (bash into a file)`, ratio: `${t.ratio}×`, goal: '≥ 0.9×', met: t.ratio >= 0.9, cost: 1 / t.ratio, goalCost: 1 / 0.9, short: 'pipe throughput', load: t.load });
  }
  if (r.cold_start) {
    const c = r.cold_start;
    // Each run has a fresh data dir: the front-end starts the daemon first (issue 21's goal for that case: ≤ 1.5×).
    add({ name: 'cold start (spawn → initialize answered), the daemon started first', ours: `${c.bgbash_ms} ms`, base: `${c.baseline_ms} ms (minimal server, same SDK)`, ratio: `${c.ratio}×`, goal: '≤ 1.5×', met: c.ratio <= 1.5, cost: c.ratio, goalCost: 1.5, short: 'cold start', load: c.load });
  }
  if (r.hooks) {
    const h = r.hooks;
    add({ name: `a hook with nothing to deliver (worst of ${h.hooks.length}: the Claude Code plugin's (and its wake hook), the Gemini extension's, and what \`bgbash install\` writes for Claude Code and Codex; the full CLI took ${h.full_cli_ms} ms)`, ours: `${h.worst_ms} ms`, base: `${h.node_ms} ms (\`node -e 0\`)`, ratio: `${h.ratio}×`, goal: `≤ max(100 ms, 2.5×) = ${h.limit_ms} ms`, met: h.met, load: h.load });
  }
  if (r.dispatch) {
    const d = r.dispatch;
    add({ name: 'dispatch (`bash` background round trip)', ours: `p50 ${d.p50_ms} ms, p99 ${d.p99_ms} ms`, base: `p50 ${d.baseline_p50_ms} ms (echo tool)`, ratio: `${d.ratio}×`, goal: 'p50 ≤ 10 ms', met: d.p50_ms <= 10, load: d.load });
    if (d.spawn_p50_ms !== undefined) add({ name: 'starting one process on this machine (Node `spawn()` of /bin/true, until it returns), on the dispatch path', ours: '', base: `p50 ${d.spawn_p50_ms} ms`, ratio: '', goal: 'measured', met: null, load: d.load });
  }
  if (r.burst) {
    const b = r.burst;
    add({ name: `dispatch in a burst of ${b.calls} \`pty: false\` background calls, back to back`, ours: `p50 ${b.p50_ms} ms, p99 ${b.p99_ms} ms`, base: `p50 ${b.baseline_p50_ms} ms (${b.calls} echo calls, back to back)`, ratio: `${b.ratio}×`, goal: 'p50 ≤ 10 ms', met: b.p50_ms <= 10, load: b.load, cost: b.ratio, short: 'burst dispatch p50' });
    if (b.at_once) {
      const o = b.at_once;
      add({ name: `the same ${b.calls} calls all at once`, ours: `p50 ${o.p50_ms} ms, p99 ${o.p99_ms} ms`, base: `p50 ${o.baseline_p50_ms} ms (${b.calls} echo calls at once)`, ratio: `${o.ratio}×`, goal: 'measured', met: null, load: b.load });
    }
  }
  if (r.notice_latency) {
    const n = r.notice_latency;
    add({ name: 'notice latency (exit → client)', ours: `p50 ${n.p50_ms} ms, p99 ${n.p99_ms} ms`, base: `p50 ${n.baseline_p50_ms} ms (Node sees the exit)`, ratio: `${n.ratio}×`, goal: 'p50 ≤ 50 ms', met: n.p50_ms <= 50, load: n.load });
  }
  if (r.memory) {
    const m = r.memory;
    add({ name: `memory: peak RSS while a task prints ${m.big_output_mb} MB`, ours: `${m.peak_rss_1gb_mb} MB`, base: `${m.baseline_idle_rss_mb} MB (minimal server at rest)`, ratio: `${round(m.peak_rss_1gb_mb / m.baseline_idle_rss_mb)}×`, goal: '≤ 85 MB', met: m.peak_rss_1gb_mb <= 85, cost: m.peak_rss_1gb_mb / m.baseline_idle_rss_mb, goalCost: 85 / m.baseline_idle_rss_mb, short: 'peak RSS, 1 GB output', load: m.load });
    add({ name: `memory: flat in output size (${m.small_output_mb} MB → ${m.big_output_mb} MB)`, ours: `${m.peak_rss_small_mb} → ${m.peak_rss_1gb_mb} MB`, base: '', ratio: `${m.growth_ratio_big_vs_small}×`, goal: '≤ 1.1×', met: m.growth_ratio_big_vs_small <= 1.1, load: m.load });
    const h = m.helpers_1gb;
    if (h && (h['spawner-process'] || h.watchdog)) {
      const part = (x) => (x ? `${x.rss_mb} MB RSS, ${x.pss_mb} MB PSS` : 'not running');
      add({ name: 'memory: beside the server in that run, its spawner and watchdog (each a small Node process)', ours: `spawner ${part(h['spawner-process'])}; watchdog ${part(h.watchdog)}`, base: '', ratio: '', goal: 'measured', met: null, load: m.load });
    }
  }
  if (r.scale) {
    const s = r.scale;
    const base = r.memory?.baseline_idle_rss_mb;
    add({ name: `memory: after ${s.tasks} finished tasks`, ours: `${s.rss_with_1000_records_mb} MB at once${s.rss_after_rest_mb !== undefined ? `, ${s.rss_after_rest_mb} MB after ${s.rest_s} s at rest` : ''} (fresh server over them: ${s.rss_fresh_server_over_1000_records_mb} MB)`, base: base ? `${base} MB` : '', ratio: base ? `${round(s.rss_with_1000_records_mb / base)}×` : '', goal: '≤ 85 MB', met: s.rss_with_1000_records_mb <= 85, cost: base ? s.rss_with_1000_records_mb / base : undefined, goalCost: base ? 85 / base : undefined, short: `RSS after ${s.tasks} tasks`, load: s.load });
    add({ name: `scale: ${s.tasks} tasks at once, limit 10`, ours: `${s.wall_ms} ms, ${s.not_done} not done, ${s.lost} lost`, base: `${s.baseline_wall_ms} ms (\`xargs -P 10\`)`, ratio: `${s.ratio}×`, goal: '≤ 2×, none lost', met: s.ratio <= 2 && s.all_done && s.lost === 0, cost: s.ratio, goalCost: 2, short: `${s.tasks} tasks vs xargs`, load: s.load });
    if (r.shell_state) add({ raw: shellStateRow(r.shell_state, ok) });
    add({ name: 'task_status during the scale run', ours: `summary p99 ${s.status_summary_p99_ms_during} ms; one task p50 ${s.status_one_p50_ms} ms, p99 ${s.status_one_p99_ms} ms`, base: '', ratio: '', goal: 'measured', met: null, load: s.load });
  }
  if (r.sessions) {
    const m = r.sessions;
    add({ name: `sessions: RSS each additional agent session adds (everything they run, the daemon included; ${m.sessions} sessions: ${m.rss_total_mb_by_sessions.join(' → ')} MB)`, ours: `${m.added_per_session_mb} MB`, base: `${m.baseline_added_per_session_mb} MB (each session its own server, \`serve --no-daemon\`)`, ratio: `${round(m.added_per_session_mb / m.baseline_added_per_session_mb)}×`, goal: '≤ 50 MB', met: m.added_per_session_mb <= 50, load: m.load });
    add({ name: 'sessions: first answer with the daemon running (spawn → initialize answered)', ours: `${m.first_answer_daemon_running_ms} ms`, base: `${m.baseline_minimal_ms} ms (minimal server, same SDK)`, ratio: `${m.first_answer_ratio}×`, goal: '≤ 1.1×', met: m.first_answer_ratio <= 1.1, cost: m.first_answer_ratio, goalCost: 1.1, short: 'first answer, daemon up', load: m.load });
    add({ name: `sessions: ${m.four_sessions_tasks} tasks from 4 sessions at once, one budget of 10`, ours: `${m.four_sessions_wall_ms} ms, ${m.four_sessions_not_done} not done, ${m.four_sessions_lost} lost; last ends ${round(m.last_end_spread_of_wall * 100, 1)}% of the wall apart`, base: `${m.xargs_wall_ms} ms (\`xargs -P 10\`)`, ratio: `${m.four_sessions_ratio}×`, goal: '≤ 2×, none lost, last ends within 10%', met: m.four_sessions_ratio <= 2 && m.four_sessions_lost === 0 && m.last_end_spread_of_wall <= 0.1, cost: m.four_sessions_ratio, goalCost: 2, short: '4 sessions vs xargs', load: m.load });
  }
  if (r.context) add({ raw: contextRows(r.context) });
  if (r.render) {
    const v = r.render;
    add({ name: `task_output of a ${round(v.window_bytes / 1024, 1)} KB window, rendered as a terminal shows it`, ours: `p50 ${v.rendered_p50_ms} ms, p90 ${v.rendered_p90_ms} ms`, base: `p50 ${v.raw_p50_ms} ms (the same read, raw: true)`, ratio: `${v.ratio_rendered_vs_raw}×`, goal: 'p50 < 10 ms', met: v.rendered_p50_ms < 10, load: v.load });
    add({ name: `memory: flat while a task prints and is read every 100 ms (${v.small_output_mb} MB → ${v.big_output_mb} MB, ${v.reads_during_1gb} reads)`, ours: `${v.peak_rss_small_reading_mb} → ${v.peak_rss_1gb_reading_mb} MB`, base: '', ratio: `${v.growth_ratio_big_vs_small}×`, goal: '≤ 1.1×', met: v.growth_ratio_big_vs_small <= 1.1, load: v.load });
  }
  return rows;
}

/** Horizontal bars: bgbash's cost over the machine's (1 = as good), with each goal; then bgbash beside the peer. */
export function chartSvg(data) {
  const rows = figures(data.results ?? {}).filter((f) => f.cost !== undefined && Number.isFinite(f.cost));
  const peers = data.peers?.rows ?? [];
  const W = 760;
  const left = 200;
  const barW = W - left - 90;
  const rowH = 26;
  let y = 20;
  const parts = [];
  const text = (x, yy, s, attrs = '') => parts.push(`<text x="${x}" y="${yy}" ${attrs}>${esc(s)}</text>`);
  text(10, y, 'bgbash ÷ the machine’s own baseline, same run (1× = as fast / as small; shorter is better)', 'font-weight="bold"');
  y += 14;
  const maxCost = Math.max(2.2, ...rows.map((f) => Math.max(f.cost, f.goalCost ?? 0)));
  const scale = (v) => (Math.min(v, maxCost) / maxCost) * barW;
  const top = y;
  for (const f of rows) {
    const colour = f.met === false ? '#d9822b' : '#2b8a3e';
    text(left - 8, y + 17, f.short, 'text-anchor="end"');
    parts.push(`<rect x="${left}" y="${y + 5}" width="${scale(f.cost).toFixed(1)}" height="16" fill="${colour}"/>`);
    text(left + scale(f.cost) + 6, y + 17, `${round(f.cost)}×${f.cost > maxCost ? ' (off scale)' : ''}`);
    if (f.goalCost) parts.push(`<line x1="${(left + scale(f.goalCost)).toFixed(1)}" x2="${(left + scale(f.goalCost)).toFixed(1)}" y1="${y + 2}" y2="${y + 24}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`);
    y += rowH;
  }
  const one = left + scale(1);
  parts.push(`<line x1="${one.toFixed(1)}" x2="${one.toFixed(1)}" y1="${top}" y2="${y}" stroke="#555" stroke-width="1"/>`);
  text(one, y + 12, '1× (machine)', 'text-anchor="middle" font-size="11"');
  y += 22;
  text(left, y, 'bar: bgbash (green: goal met, orange: missed) · dashed: goal', 'font-size="11"');
  y += 24;
  if (peers.length > 0) {
    text(10, y, `bgbash beside ${data.peers.peer} through the same MCP client (shorter is better)`, 'font-weight="bold"');
    y += 14;
    for (const p of peers) {
      if (!(p.bgbash > 0) || !(p.peer > 0)) continue;
      const max = Math.max(p.bgbash, p.peer);
      text(left - 8, y + 15, p.workload, 'text-anchor="end"');
      parts.push(`<rect x="${left}" y="${y + 4}" width="${((p.bgbash / max) * barW).toFixed(1)}" height="12" fill="#2b8a3e"/>`);
      text(left + (p.bgbash / max) * barW + 6, y + 15, `bgbash ${p.bgbash} ${p.unit}`, 'font-size="11"');
      parts.push(`<rect x="${left}" y="${y + 18}" width="${((p.peer / max) * barW).toFixed(1)}" height="12" fill="#868e96"/>`);
      text(left + (p.peer / max) * barW + 6, y + 29, `peer ${p.peer} ${p.unit}`, 'font-size="11"');
      y += 38;
    }
  }
  const h = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

export function writeReport() {
  const data = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  const m = data.machine ?? {};
  const rows = figures(data.results ?? {});
  fs.writeFileSync(path.join(ROOT, 'bench/chart.svg'), chartSvg(data));
  const load = m.load ? ` Load while it ran: ${m.load}.` : '';
  let md = `# Benchmarks

Produced by one \`npm run bench\` run (\`bench/run.js\`: the sections in \`bench/sections/\`, then the peer workloads of \`bench/peers.js\`, which \`npm run bench:peers\` also runs alone); raw numbers in \`bench/results.json\`, chart in \`bench/chart.svg\`.
Every figure is a median over repeated runs, beside a baseline measured in the same run.

Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gb} GiB, ${m.os}, Node ${m.node}, ${String(m.date ?? '').slice(0, 16).replace('T', ' ')} UTC${m.quick ? ' (quick run)' : ''}.${load}

![bgbash against the machine's baselines and against the peer](bench/chart.svg)

| figure | bgbash | baseline | ratio | goal | | load |
|---|---|---|---|---|---|---|
${rows.map((f) => f.raw ?? `| ${f.name} | ${f.ours} | ${f.base} | ${f.ratio} | ${f.goal} | ${f.met === null ? '' : ok(f.met)} | ${f.load ? f.load.join(' → ') : ''} |`).join('\n')}
`;
  if (data.peers?.rows?.length) {
    const p = data.peers;
    md += `
## Beside ${p.peer}

${p.note}

| workload | bgbash | ${p.peer} | |
|---|---|---|---|
${p.rows.map((r) => `| ${r.workload} | ${r.bgbash_text ?? `${r.bgbash} ${r.unit}`} | ${r.peer_text ?? `${r.peer} ${r.unit}`} | ${r.comment ?? ''} |`).join('\n')}
`;
  }
  for (const extra of data.extra_sections ?? []) md += `\n${extra}\n`;
  md += '\nSee the "Notes" section below for what limits a missed goal.\n';
  const notesFile = path.join(ROOT, 'bench/NOTES.md');
  if (fs.existsSync(notesFile)) md += '\n' + fs.readFileSync(notesFile, 'utf8');
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), md);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) writeReport();
