/**
 * `bgbash detach [id]`: send the agent's waiting foreground run to the
 * background — the same as Ctrl+B in `bgbash attach`, as a one-shot command
 * to bind to a key in tmux or a terminal.
 */
import { closeAll } from '../../control/discovery.js';
import { CliError, taskArg, ownerOf, servers, NO_SERVER, type Cli } from '../context.js';
import { SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[id] [--server ID]',
  description: 'Sends the foreground command an agent is waiting on to the background: its bash call returns at once and\nthe command keeps running as a task. The same as Ctrl+B in attach, as a one-shot command to bind to a key.',
  options: { ...SERVER_OPTION },
  maxArgs: 1,
  examples: ['bgbash detach', "tmux bind-key B run-shell 'bgbash detach'"],
};

export async function run(cli: Cli): Promise<number> {
  const ref = cli.args.positionals[0];
  if (ref) {
    const owner = await ownerOf(cli, taskArg(cli, ref));
    try {
      const { id } = await owner.client.request('detach', { id: ref });
      cli.out(`Detached: task ${id} keeps running in the background`);
      return 0;
    } finally {
      owner.client.close();
    }
  }
  const conns = await servers(cli);
  try {
    if (conns.length === 0) throw new CliError(NO_SERVER);
    for (const c of conns) {
      const hello = await c.client.request('hello', {}).catch(() => null);
      if (hello && hello.foreground.length > 0) {
        const { id } = await c.client.request('detach', {});
        cli.out(`Detached: task ${id} keeps running in the background`);
        return 0;
      }
    }
    throw new CliError('nothing to detach: no agent is waiting on a foreground command right now');
  } finally {
    closeAll(conns);
  }
}
