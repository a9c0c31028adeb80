// `npm run build`, second step: the CLI and server as one file,
// dist/cli/bgbash.js, with its source map, behind a small first file,
// dist/cli/main.js (the `bgbash` command; see src/cli/launch.ts). Loading one
// file instead of ~150 modules (ours, the MCP SDK's, zod's) is most of what
// `bgbash serve` pays before it can answer initialize. Modules loaded on first use stay lazy: the
// bundler wraps them so their top-level code runs only when imported.
// node-pty (@lydell/node-pty, prebuilt per platform) is native and stays a normal dependency.
import { build } from 'esbuild';
import path from 'node:path';

// Code `bgbash serve` would parse at every start and never run: swapped for
// smaller stand-ins (each file says why). Start-up time is CPU spent before
// the first answer, and Claude Code gives up on its server/discover probe
// after 3 s.
const stubs = {
  name: 'bgbash-stubs',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: path.resolve('scripts/bundle-stubs/zod-locales.js') } : undefined,
    );
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: path.resolve('src/mcp/sdk-shims.ts') }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __bgbashRequire } from 'node:module'; const require = __bgbashRequire(import.meta.url);" },
  logLevel: 'warning',
};

// Everything: the CLI, the server, the MCP SDK, zod.
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/bgbash.js',
  sourcemap: true,
  // re2js and @xterm/headless are required on first use (core/pattern.ts, run/render.ts), from node_modules.
  external: ['@lydell/node-pty', 're2js', '@xterm/headless'],
  plugins: [stubs],
});

// The command's first file: answers a stdio client's opening server/discover, then loads bgbash.js.
await build({
  ...common,
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/cli/main.js',
  external: ['./bgbash.js'],
});
