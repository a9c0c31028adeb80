/**
 * `bgbash detach [id]`: send the agent's waiting foreground run to the
 * background — the same as Ctrl+B in `bgbash attach`, as a one-shot command
 * to bind to a key in tmux or a terminal.
 */
import { closeAll } from '../../control/discovery.js';
import { CliError, findTask, ownerOf, servers, NO_SERVER, type Cli } from '../context.js';

export async function run(cli: Cli): Promise<number> {
  const ref = cli.args.positionals[0];
  if (ref) {
    const owner = await ownerOf(cli, findTask(cli, ref));
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
