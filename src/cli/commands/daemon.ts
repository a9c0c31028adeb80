/**
 * `bgbash daemon status|stop|run`: the one bgbash daemon per user and data dir
 * that owns every agent session's tasks. `bgbash serve` starts it when none
 * answers; people look at it and stop it here.
 */
import { liveServers } from '../../core/live-servers.js';
import { isTerminal } from '../../shared/task.js';
import { serverAlive } from '../../core/live-servers.js';
import type { ServerInfo } from '../../store/servers.js';
import { UsageError } from '../args.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';
import { CliError, type Cli } from '../context.js';
import { currentTasks } from '../../control/discovery.js';
import { daemonLogPath } from '../../daemon/wire.js';
import { oneLine } from '../../shared/printable.js';

export const spec: CommandSpec = {
  usage: 'status|stop|run [--json]',
  description: `The bgbash daemon owns every task of this data dir's agent sessions: one budget
(background.maxConcurrentTasks) for all of them. \`bgbash serve\` starts it when none
answers; it exits by itself after daemon.idleExit (default 10m) with no session and
no live task. status: the daemon, its sessions and live tasks. stop: ends it and
every task it runs (their records say why). run: what \`bgbash serve\` starts.`,
  options: { ...JSON_OPTION },
  maxArgs: 1,
  examples: ['bgbash daemon status', 'bgbash daemon stop'],
  repair: false,
};

const STOP_WAIT_MS = 20_000;

export async function run(cli: Cli): Promise<number> {
  const verb = cli.args.positionals[0];
  if (verb === 'run') {
    // The front-end names the build it computed (daemon/wire.ts), so both ends agree on the socket.
    const build = process.env.BGBASH_DAEMON_BUILD;
    if (!build || !/^[0-9a-f]{10}$/.test(build)) throw new UsageError('daemon run is what `bgbash serve` starts (it sets BGBASH_DAEMON_BUILD)', 'daemon');
    const { runDaemon } = await import('../../daemon/daemon.js');
    await runDaemon({ ...cli.args.load, build });
    return -1;
  }
  if (verb !== 'status' && verb !== 'stop') throw new UsageError(`daemon takes status or stop${verb ? `, not "${verb}"` : ''}`, 'daemon');
  const all = liveServers(cli.paths);
  const daemons = all.filter((s) => s.role === 'daemon');
  if (verb === 'stop') return stop(cli, daemons);
  const tasks = daemons.length ? await currentTasks(cli.paths, cli.badRecord) : [];
  const rows = daemons.map((d) => ({
    daemon: d,
    sessions: all.filter((s) => s.daemon === d.id).map((s) => ({ id: s.id, session: s.session, agent: s.client, cwd: s.cwd, pid: s.pid })),
    live_tasks: tasks.filter((t) => t.server === d.id && !isTerminal(t)).length,
  }));
  if (cli.json) {
    cli.out(JSON.stringify({ daemons: rows }, null, 2));
    return 0;
  }
  if (!rows.length) {
    cli.out(`no bgbash daemon is running for ${cli.paths.root} (\`bgbash serve\` starts one)`);
    return 0;
  }
  for (const r of rows) {
    cli.out(`daemon ${r.daemon.id}: pid ${r.daemon.pid}, up since ${r.daemon.started_at}, ${r.sessions.length} session(s), ${r.live_tasks} live task(s); log ${daemonLogPath(cli.paths.root)}`);
    // The agent's name is what its MCP client said; the session and directory come from servers/ on disk: none goes raw to the terminal.
    for (const s of r.sessions) cli.out(`  session ${oneLine(String(s.session), 80)}: ${s.agent == null ? 'agent not named yet' : oneLine(String(s.agent), 60)} in ${oneLine(String(s.cwd), 200)} (front-end pid ${s.pid})`);
  }
  return 0;
}

async function stop(cli: Cli, daemons: ServerInfo[]): Promise<number> {
  if (!daemons.length) {
    cli.out('no bgbash daemon is running');
    return 0;
  }
  for (const d of daemons) {
    try {
      process.kill(d.pid, 'SIGTERM');
    } catch (err) {
      throw new CliError(`cannot stop daemon ${d.id} (pid ${d.pid}): ${(err as Error).message}`);
    }
  }
  const deadline = Date.now() + STOP_WAIT_MS;
  while (daemons.some((d) => serverAlive(d)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = daemons.filter((d) => serverAlive(d));
  if (left.length) throw new CliError(`daemon ${left.map((d) => `${d.id} (pid ${d.pid})`).join(', ')} did not stop within ${STOP_WAIT_MS / 1000} s`);
  cli.out(`stopped ${daemons.length === 1 ? `daemon ${daemons[0].id}` : `${daemons.length} daemons`}; ${daemons.length === 1 ? 'its' : 'their'} tasks were ended (\`bgbash list\` shows them)`);
  return 0;
}
