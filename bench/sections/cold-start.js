// Cold start: spawn → initialize answered, bgbash against the minimal server
// on the same SDK, interleaved.
import { bgbash, load1, median, minimal, QUICK, round } from '../lib.js';

export async function coldStart() {
  const loadBefore = load1();
  const ours = [];
  const base = [];
  for (let i = 0; i < (QUICK ? 3 : 10); i++) {
    const m = await minimal();
    base.push(m.startMs);
    await m.client.close();
    const b = await bgbash();
    ours.push(b.startMs);
    await b.client.close();
  }
  return { bgbash_ms: round(median(ours), 1), baseline_ms: round(median(base), 1), ratio: round(median(ours) / median(base)), load: [loadBefore, load1()], baseline: 'minimal SDK server with one tool', goal: '<= 1.1x' };
}
