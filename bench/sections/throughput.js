// Output throughput: a command printing base64 through bgbash (to the end of
// a foreground call) against the same command with its output going straight
// to a file (pipe mode) or through `script` (pty mode), interleaved.
import fs from 'node:fs';
import path from 'node:path';
import { bgbash, load1, median, now, QUICK, REPEAT, round, TMP, timeShell } from '../lib.js';

// Bytes of zeros, base64-encoded: ~1.35x on output.
const SIZE = process.env.BENCH_SIZE ? Number(process.env.BENCH_SIZE) : QUICK ? 30_000_000 : 150_000_000;
const GEN = `head -c ${SIZE} /dev/zero | base64`;

async function throughput(pty) {
  const loadBefore = load1();
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
  return { bytes, bgbash_mb_s: round(mbps(median(ours)), 1), baseline_mb_s: round(mbps(median(base)), 1), ratio: round(median(base) / median(ours)), load: [loadBefore, load1()] };
}

export const ptyThroughput = async () => ({ ...(await throughput(true)), baseline: 'script -qfc CMD /dev/null > file', goal: '>= 0.95x' });
export const pipeThroughput = async () => ({ ...(await throughput(false)), baseline: 'bash -c "CMD > file"', goal: '>= 0.9x' });
