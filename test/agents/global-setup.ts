/** Installs the pinned agent CLIs into the cache once, before any scenario runs. */
import { CLIS, ensureCli, type CliId } from './lib/clis.js';

export default function setup(): void {
  for (const id of Object.keys(CLIS) as CliId[]) ensureCli(id);
}
