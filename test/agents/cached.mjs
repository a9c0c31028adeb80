// Exit 0 when every pinned agent CLI of test/agents/clis.json is in the cache
// (BGBASH_AGENTS_CACHE, default ~/.cache/bgbash-agents), 1 otherwise, naming
// what is missing. `.ci/run` uses it to decide whether to run `npm run test:agents`,
// which would otherwise download ~1.5 GB on its first run. Also what opencode
// installs before loading a plugin (lib/opencode-deps.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const clis = JSON.parse(fs.readFileSync(new URL('./clis.json', import.meta.url), 'utf8'));
const root = process.env.BGBASH_AGENTS_CACHE || path.join(os.homedir(), '.cache', 'bgbash-agents');
const have = (s) => {
  const prefix = path.join(root, `${s.pkg.replace(/^@/, '').replace('/', '-')}@${s.version}`);
  try {
    return JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', s.pkg, 'package.json'), 'utf8')).version === s.version && fs.existsSync(path.join(prefix, 'node_modules', '.bin', s.bin));
  } catch {
    return false;
  }
};
const missing = Object.entries(clis).filter(([, s]) => !have(s)).map(([id]) => id);
const ocVersion = clis['opencode-1.18.33'].version;
try {
  const lock = JSON.parse(fs.readFileSync(path.join(root, `opencode-ai-plugin@${ocVersion}`, 'package-lock.json'), 'utf8'));
  if (lock.packages['node_modules/@opencode-ai/plugin'].version !== ocVersion) throw new Error('stale');
} catch {
  missing.push(`@opencode-ai/plugin@${ocVersion} (for opencode's plugin loader)`);
}
if (missing.length) {
  console.log(`agent CLIs not cached in ${root}: ${missing.join(', ')}`);
  process.exit(1);
}
