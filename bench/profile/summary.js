// Summarises a .cpuprofile: `node bench/profile/summary.js FILE [top]` prints
// self time per function (top N) and per source file, as shares of the samples.
import fs from 'node:fs';

const [file, topArg = '30'] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
// Optional window: PROFILE_FROM / PROFILE_TO, in ms since the profile started.
const from = Number(process.env.PROFILE_FROM ?? 0);
const to = Number(process.env.PROFILE_TO ?? Infinity);
const counts = new Map();
let t = 0;
let total = 0;
prof.samples.forEach((id, i) => {
  t += prof.timeDeltas[i] / 1000;
  if (t < from || t > to) return;
  counts.set(id, (counts.get(id) ?? 0) + 1);
  total++;
});
const self = new Map();
const files = new Map();
for (const [id, c] of counts) {
  const cf = byId.get(id).callFrame;
  const where = cf.url ? cf.url.replace(/^.*\/(node_modules\/[^/]+|dist|src)\//, '$1/') : '';
  const key = `${cf.functionName || '(anon)'} ${where}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + c);
  const fkey = cf.url ? where.replace(/:.*$/, '') : cf.functionName;
  files.set(fkey, (files.get(fkey) ?? 0) + c);
}
const pct = (c) => `${((100 * c) / total).toFixed(1)}%`.padStart(6);
const ms = ((prof.endTime - prof.startTime) / 1000).toFixed(0);
console.log(`${total} samples over ${ms} ms`);
console.log('--- self time by function');
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(pct(c), k);
console.log('--- self time by file');
for (const [k, c] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(pct(c), k);
// Inclusive: each sample counted once for every function on its stack.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, c] of counts) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = byId.get(at).callFrame.functionName || '(anon)';
    if (seen.has(name)) continue;
    seen.add(name);
    incl.set(name, (incl.get(name) ?? 0) + c);
  }
}
console.log('--- inclusive time by function name');
for (const [k, c] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(pct(c), k);
