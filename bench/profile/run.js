// Profiles one bgbash workload: `node bench/profile/run.js <workload> [node flags…]`
// workloads: pipe (200 MB, pty: false), pty (1 GB), burst (150 pty:false calls at once),
// scale (N tasks at limit 10; PROFILE_TASKS, default 300), idle.
// The server (--no-daemon: the flags reach the process that owns the tasks, as the daemon would) runs with the given node flags (e.g. --cpu-prof --cpu-prof-dir=DIR,
// --heap-prof, --trace-gc) and the memory probe (probe.mjs); its stderr goes to
// $PROFILE_DIR/server.stderr and the probe's samples to $PROFILE_DIR/memory.jsonl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [workload = 'idle', ...flags] = process.argv.slice(2);
const dir = process.env.PROFILE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-profile-'));
fs.mkdirSync(dir, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-profile-data-'));
const memFile = path.join(dir, 'memory.jsonl');
const sets = workload === 'scale' ? ['--set', 'background.maxConcurrentTasks=10'] : ['--set', 'output.maxBytes=8GiB'];
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [...flags, '--import', path.join(ROOT, 'bench/profile/probe.mjs'), path.join(ROOT, 'dist/cli/main.js'), 'serve', '--no-daemon', '--data-dir', dataDir, ...sets],
  env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: path.join(dataDir, 'no-config'), BGBASH_PROBE_OUT: memFile, ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}) },
  stderr: 'pipe',
  cwd: dir,
});
const errFile = fs.createWriteStream(path.join(dir, 'server.stderr'));
transport.stderr?.pipe(errFile);
const client = new Client({ name: 'profile', version: '1' });
await client.connect(transport);
const call = (name, args) => client.callTool({ name, arguments: args }, undefined, { timeout: 900_000 });
const usr2 = async (tag) => {
  process.kill(transport.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  process.stderr.write(`${tag}: ${fs.readFileSync(memFile, 'utf8').trim().split('\n').pop()}\n`);
};
const t0 = performance.now();
await usr2('start');
if (workload === 'pipe' || workload === 'pty') {
  const bytes = Number(process.env.PROFILE_BYTES ?? (workload === 'pipe' ? 150_000_000 : 750_000_000));
  const r = await call('bash', { command: `head -c ${bytes} /dev/zero | base64`, pty: workload === 'pty', yield_after: 0 });
  process.stderr.write(`${r.structuredContent.state} ${r.structuredContent.cursor} bytes\n`);
} else if (workload === 'burst') {
  for (let round = 0; round < 3; round++) {
    const lat = await Promise.all(Array.from({ length: 150 }, async () => {
      const s = performance.now();
      await call('bash', { command: 'true', background: true, pty: false });
      return performance.now() - s;
    }));
    lat.sort((a, b) => a - b);
    process.stderr.write(`burst p50 ${lat[75].toFixed(1)} ms p99 ${lat[148].toFixed(1)} ms\n`);
    await new Promise((r) => setTimeout(r, 2000));
  }
} else if (workload === 'scale') {
  const n = Number(process.env.PROFILE_TASKS ?? 300);
  await Promise.all(Array.from({ length: n }, () => call('bg_submit', { command: 'sleep 0.01' })));
  for (;;) {
    const c = (await call('task_status', {})).structuredContent.counts;
    if (c.done + c.failed + c.cancelled >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}
process.stderr.write(`${workload}: ${(performance.now() - t0).toFixed(0)} ms\n`);
await usr2('end');
// End stdin and wait for the server's own exit (the profilers write their files then).
const exited = new Promise((r) => transport._process.once('exit', r));
transport._process.stdin.end();
await Promise.race([exited, new Promise((r) => setTimeout(r, 120_000))]);
await client.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.stderr.write(`profile files in ${dir}\n`);
