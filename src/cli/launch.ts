#!/usr/bin/env node
/**
 * The `bgbash` command's first file (dist/cli/main.js), kept small: for
 * `bgbash serve` on stdio it answers the client's opening server/discover
 * probe (mcp/opening-answer.ts) before the rest — the CLI, the MCP SDK, zod,
 * bundled as dist/cli/bgbash.js — is parsed; then it loads the rest.
 */
import v8 from 'node:v8';
import { answerOpening } from '../mcp/opening-answer.js';
import { findCommand } from './args.js';
import { frontEndArgs } from './front-end-args.js';
import { runFrontEnd } from './front-end.js';

function servesStdio(argv: string[]): boolean {
  const { command, index } = findCommand(argv);
  if (command !== 'serve') return false;
  return !argv.slice(index + 1).some((a) => a === '--' || a === '--http' || a.startsWith('--http=') || a === '--help' || a === '-h' || a === '--version');
}

// A server's young generation stays at its first size (two 1 MB semi-spaces) instead of growing to
// 32 MB in a burst of calls and keeping it: RSS after 1,000 tasks 118 -> 84 MB, peak while a task
// prints 1 GB 82 -> 70 MB, at no cost in dispatch or throughput (bench/NOTES.md). Only this flag can
// still act once Node runs (--max-semi-space-size is read when the heap is made), so no re-exec.
if (findCommand(process.argv.slice(2)).command === 'serve') v8.setFlagsFromString('--semi-space-growth-factor=1');
const argv = process.argv.slice(2);
// `serve --no-daemon` (or BGBASH_DAEMON=0): the whole server in this process, as before the daemon.
const inProcess = argv.includes('--no-daemon') || process.env.BGBASH_DAEMON === '0';
const frontEnd = servesStdio(argv) && !inProcess ? frontEndArgs(argv) : null;
if (servesStdio(argv)) await answerOpening();
if (frontEnd) await runFrontEnd(frontEnd);
else {
  // A name tsc does not resolve: the bundle exists only after `npm run build`.
  const rest = './bgbash.js';
  await import(rest);
}
