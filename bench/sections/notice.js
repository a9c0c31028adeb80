// Notice latency: a background task's end to its notice at the client,
// against a Node parent seeing the same command's exit.
import { spawn } from 'node:child_process';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { bgbash, load1, pct, QUICK, round } from '../lib.js';

const hrNow = () => performance.timeOrigin + performance.now();
const CMD = 'sleep 0.05; date +%s%N';

export async function noticeLatency() {
  const loadBefore = load1();
  const n = QUICK ? 10 : 40;
  const srv = await bgbash();
  const notices = new Map();
  srv.client.setNotificationHandler(LoggingMessageNotificationSchema, (msg) => {
    const m = /^\[Task #(\d+) completed\]/.exec(String(msg.params.data));
    if (m) notices.set(m[1], { data: String(msg.params.data), hr: hrNow() });
  });
  const ours = [];
  for (let i = 0; i < n; i++) {
    const r = await srv.call('bg_submit', { command: CMD });
    const id = r.structuredContent.task_id;
    while (!notices.has(id)) await new Promise((res) => setTimeout(res, 1));
    const got = notices.get(id);
    const printed = Number(/\n {2}(\d{19})/.exec(got.data)[1]) / 1e6;
    ours.push(got.hr - printed);
  }
  await srv.client.close();
  const base = [];
  for (let i = 0; i < n; i++) {
    const seen = await new Promise((resolve) => {
      let out = '';
      const child = spawn('bash', ['-c', CMD]);
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', () => resolve({ out, hr: hrNow() }));
    });
    base.push(seen.hr - Number(seen.out.trim()) / 1e6);
  }
  return {
    p50_ms: round(pct(ours, 50)),
    p99_ms: round(pct(ours, 99)),
    baseline_p50_ms: round(pct(base, 50)),
    ratio: round(pct(ours, 50) / Math.max(0.01, pct(base, 50))),
    load: [loadBefore, load1()],
    baseline: 'child_process exit seen by a Node parent',
    goal: 'p50 <= 50 ms',
  };
}
