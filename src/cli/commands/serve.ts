/** `bgbash serve`: the MCP server an agent starts (the work is in ../serve.ts). */
import { UsageError } from '../args.js';
import type { CommandSpec } from '../command.js';
import type { Cli } from '../context.js';

export const spec: CommandSpec = {
  usage: '[--session NAME] [--http [HOST:]PORT [--allow-remote]] [--no-daemon]',
  description: `Serves one agent session's MCP on stdio. Its tasks belong to the bgbash daemon of
the data dir (one per user: one budget, one owner), which this starts when none
answers (\`bgbash daemon status\`). With --http it serves Streamable HTTP instead, in
this process, on 127.0.0.1 (HOST may be another loopback address; any other address
needs --allow-remote); clients send "Authorization: Bearer <token>" and the token
file is printed at start.`,
  options: {
    session: { type: 'string', value: 'NAME', help: "The agent session this server serves (default: the server's id); undelivered notices wait in its inbox across restarts" },
    http: { type: 'string', value: '[HOST:]PORT', help: 'Serve Streamable HTTP on this address instead of stdio (loopback only by default)' },
    'allow-remote': { type: 'boolean', help: 'Let --http listen on an address off loopback (anyone who reaches it with the token runs commands as you)' },
    'no-daemon': { type: 'boolean', help: 'Serve stdio from this process alone, not through the shared daemon (also BGBASH_DAEMON=0)' },
  },
  maxArgs: 0,
  repair: false,
  examples: ['bgbash serve', 'npx -y bgbash-mcp serve            (the MCP config, with nothing installed)', 'bgbash serve --session review --http 8765'],
};

export async function run(cli: Cli): Promise<number> {
  const { serve } = await import('../serve.js');
  const http = cli.args.flags.get('--http');
  if (http === true) throw new UsageError('--http needs [host:]port', 'serve');
  const allowRemote = cli.args.flags.get('--allow-remote') === true;
  if (allowRemote && typeof http !== 'string') throw new UsageError('--allow-remote goes with --http HOST:PORT', 'serve');
  await serve({ ...cli.args.load, http: typeof http === 'string' ? http : undefined, allowRemote });
  return -1; // keeps running
}
