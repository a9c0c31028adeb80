// `npm run build`, second step: the CLI and server as one file,
// dist/cli/main.js, with its source map. Loading one file instead of ~150
// modules (ours, the MCP SDK's, zod's) is most of what `bgbash serve` pays
// before it can answer initialize. Modules loaded on first use stay lazy: the
// bundler wraps them so their top-level code runs only when imported.
// node-pty (@lydell/node-pty, prebuilt per platform) is native and stays a normal dependency.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['@lydell/node-pty'],
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __bgbashRequire } from 'node:module'; const require = __bgbashRequire(import.meta.url);" },
  logLevel: 'warning',
});
