#!/usr/bin/env node
/**
 * The `bgbash` command's first file (dist/cli/main.js), kept small: for
 * `bgbash serve` on stdio it answers the client's opening server/discover
 * probe (mcp/opening-answer.ts) before the rest — the CLI, the MCP SDK, zod,
 * bundled as dist/cli/bgbash.js — is parsed; then it loads the rest.
 */
import { answerOpening } from '../mcp/opening-answer.js';
import { findCommand } from './args.js';

function servesStdio(argv: string[]): boolean {
  const { command, index } = findCommand(argv);
  if (command !== 'serve') return false;
  return !argv.slice(index + 1).some((a) => a === '--' || a === '--http' || a.startsWith('--http=') || a === '--help' || a === '-h' || a === '--version');
}

if (servesStdio(process.argv.slice(2))) await answerOpening();
// A name tsc does not resolve: the bundle exists only after `npm run build`.
const rest = './bgbash.js';
await import(rest);
