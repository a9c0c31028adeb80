/** The package version, read once from package.json beside dist/. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VERSION: string = (() => {
  try {
    const pkg = fileURLToPath(new URL('../package.json', import.meta.url));
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
