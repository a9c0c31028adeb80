/** Installs the pinned agent CLIs (and what opencode installs for a plugin) into the cache once, before any scenario runs. */
import { CLIS, ensureCli, type CliId } from './lib/clis.js';
import { ensurePluginDeps } from './lib/opencode-deps.js';

export default function setup(): void {
  for (const id of Object.keys(CLIS) as CliId[]) ensureCli(id);
  ensurePluginDeps();
}
