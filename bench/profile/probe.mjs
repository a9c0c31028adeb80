// Preloaded into a bgbash server by bench/profile/run.js (node --import):
// samples process.memoryUsage() every 50 ms and keeps the peak of each field,
// and writes the samples' peaks and last values to $BGBASH_PROBE_OUT at exit
// or on SIGUSR2 (which also runs a full GC first when --expose-gc is on).
import fs from 'node:fs';

const out = process.env.BGBASH_PROBE_OUT;
if (out) {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
    return m;
  };
  setInterval(sample, 50).unref();
  const write = (tag) => {
    const now = sample();
    const mb = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round((v / 2 ** 20) * 10) / 10]));
    fs.appendFileSync(out, JSON.stringify({ tag, now: mb(now), peak: mb(peak) }) + '\n');
  };
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    write('usr2');
  });
  process.on('exit', () => write('exit'));
}
