/**
 * `bgbash doctor`: is this machine ready, and do the agents' configs start a
 * working bgbash? One line per check (✓ fine, ! worth a look, ✗ broken, with
 * what to do); exit 1 when anything is broken.
 */
import { type CommandSpec, JSON_OPTION } from '../command.js';
import type { Cli } from '../context.js';
import { agentChecks } from '../doctor/agents.js';
import { MARK, type Check } from '../doctor/check.js';
import { extraChecks } from '../doctor/extras.js';
import { platformChecks } from '../doctor/platform.js';
import { dataDirCheck, nodeCheck, ptyCheck, serversCheck } from '../doctor/system.js';

export const spec: CommandSpec = {
  usage: '[--json]',
  description:
    "Checks Node.js, what this platform lacks (no /proc, bash before 4.4, Windows) and what bgbash does instead,\nthe pty, the data dir and its sockets, the running servers, and every agent's config that names bgbash\n(does its command start a working bgbash?). One line per check: ✓ fine, ! worth a look, ✗ broken, with a fix.\nExits 1 when something is broken. Runs only bgbash's own commands from agent configs.",
  options: { ...JSON_OPTION },
  maxArgs: 0,
  repair: false,
  examples: ['bgbash doctor', 'npx -y bgbash-mcp doctor', 'bgbash doctor --json'],
};

export async function run(cli: Cli): Promise<number> {
  const [pty, servers, agents] = await Promise.all([ptyCheck(), serversCheck(cli.paths), agentChecks()]);
  const checks: Check[] = [nodeCheck(), ...platformChecks(), pty, dataDirCheck(cli.paths), servers, ...agents, ...extraChecks()];
  const failed = checks.some((c) => c.status === 'fail');
  if (cli.json) {
    cli.out(JSON.stringify({ ok: !failed, checks }, null, 2));
  } else {
    for (const c of checks) cli.out(`${MARK[c.status]} ${c.name}: ${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`);
  }
  return failed ? 1 : 0;
}
