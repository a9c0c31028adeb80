// Issue 25: what the agent reads is rendered through a terminal emulator at
// read time. What that costs a read: task_output of a 16 KB window (the
// default read), cleaned (rendered) against raw (the same window, no
// rendering) in the same run, interleaved; and memory while a pty task prints
// 1 GB and an agent reads its output every 100 ms (against 100 MB with the
// same reads: flat means the reads hold nothing of what was printed).
import fs from 'node:fs';
import path from 'node:path';
import { bgbash, load1, median, now, pct, procStatus, QUICK, round, TMP } from '../lib.js';

// Everyday tool output: colours, an npm spinner, a \r progress bar, a cursor-up redraw of two lines.
const SCRIPT = `
for i in $(seq 1 400); do
  printf '\\033[32m✓\\033[0m test/unit/file%d.test.ts \\033[2m(12 tests)\\033[0m %dms\\n' $i $i
  printf '\\033[1G\\033[0K|\\033[1G\\033[0K/\\033[1G\\033[0K-\\033[1G\\033[0K'
  printf '\\rdownloading %3d%%\\rdownloading 100%%\\n' $((i % 100))
  printf 'layer %d: waiting\\nlayer %d: waiting\\n\\033[2A\\033[2Klayer %d: done\\n\\033[2Klayer %d: done\\n' $i $((i+1)) $i $((i+1))
done
`;

async function readTimes(reads) {
  const srv = await bgbash({ 'output.maxBytes': '8GiB' });
  const file = path.join(TMP, 'render-output.sh');
  fs.writeFileSync(file, SCRIPT);
  const r = await srv.call('bash', { command: `bash ${file}` });
  const id = r.structuredContent.task_id;
  const cooked = [];
  const raw = [];
  let bytes = 0;
  for (let i = 0; i < reads; i++) {
    let t0 = now();
    const c = await srv.call('task_output', { task_id: id });
    cooked.push(now() - t0);
    t0 = now();
    const w = await srv.call('task_output', { task_id: id, raw: true });
    raw.push(now() - t0);
    bytes = Buffer.byteLength(w.structuredContent.output);
    if (i === 0 && /waiting|\|\/-/.test(c.structuredContent.output)) throw new Error(`stale frames in the rendered read: ${c.structuredContent.output.slice(0, 300)}`);
  }
  await srv.client.close();
  fs.rmSync(srv.dataDir, { recursive: true, force: true });
  return { window_bytes: bytes, total_bytes: r.structuredContent.cursor, rendered_p50_ms: round(median(cooked)), rendered_p90_ms: round(pct(cooked, 90)), raw_p50_ms: round(median(raw)), raw_p90_ms: round(pct(raw, 90)) };
}

async function peakWhileReading(bytes) {
  const srv = await bgbash({ 'output.maxBytes': '8GiB' });
  const started = await srv.call('bash', { command: `head -c ${Math.round(bytes / 1.35)} /dev/zero | base64`, background: true });
  const id = started.structuredContent.task_id;
  let reads = 0;
  let printed = 0;
  for (;;) {
    const r = await srv.call('task_output', { task_id: id });
    reads++;
    printed = r.structuredContent.total_bytes;
    if (r.structuredContent.state !== 'running' && r.structuredContent.state !== 'pending') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const hwm = procStatus(srv.pid, 'VmHWM');
  await srv.client.close();
  fs.rmSync(srv.dataDir, { recursive: true, force: true });
  return { hwm, reads, printed };
}

export async function render() {
  const loadBefore = load1();
  const t = await readTimes(QUICK ? 30 : 200);
  const small = await peakWhileReading(QUICK ? 10e6 : 100e6);
  const big = await peakWhileReading(QUICK ? 100e6 : 1e9);
  return {
    ...t,
    ratio_rendered_vs_raw: round(t.rendered_p50_ms / t.raw_p50_ms),
    peak_rss_small_reading_mb: round(small.hwm, 1),
    peak_rss_1gb_reading_mb: round(big.hwm, 1),
    reads_during_1gb: big.reads,
    big_output_mb: round(big.printed / 1e6, 0),
    small_output_mb: round(small.printed / 1e6, 0),
    growth_ratio_big_vs_small: round(big.hwm / small.hwm),
    load: [loadBefore, load1()],
    baseline: 'the same read with raw: true (no rendering), interleaved',
    goal: 'rendered 16 KB read < 10 ms p50; memory flat (<= 1.1x) while a task prints 1 GB and is read every 100 ms',
  };
}
