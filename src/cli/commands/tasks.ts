/** `bgbash tasks`: the full-screen Tasks page. */
import { Screen } from '../../tui/screen.js';
import { splitKeys } from '../../tui/layout.js';
import { TaskSource, REFRESH_MS } from '../../tui/source.js';
import { initialState, move, renderPage, selected, MESSAGE_TTL_MS } from '../../tui/tasks-page.js';
import { CliError, servers, type Cli } from '../context.js';
import { colorOn } from '../format.js';
import { SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[--server ID]',
  description: 'The Tasks page, full screen: Up/k Down/j move, Enter details, Esc back, c cancel, r retry, q or Ctrl+C quit.\nThe screen is left as it was when you quit.',
  options: { ...SERVER_OPTION },
  screen: true,
  maxArgs: 0,
  examples: ['bgbash tasks'],
};

export async function run(cli: Cli): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new CliError('the Tasks page needs a terminal (try `bgbash list`)', 2);
  const source = new TaskSource(cli, () => servers(cli));
  await source.start();
  const screen = new Screen();
  const state = initialState();
  let expiry: NodeJS.Timeout | null = null;

  const render = (): void => screen.draw(renderPage(source.tasks, state, screen.width, screen.height, { color: colorOn() }, cli.paths.tasks));
  const say = (text: string): void => {
    state.message = { text, until: Date.now() + MESSAGE_TTL_MS };
    if (expiry) clearTimeout(expiry);
    expiry = setTimeout(render, MESSAGE_TTL_MS + 10);
    render();
  };
  const act = async (what: 'cancel' | 'retry'): Promise<void> => {
    const task = selected(source.tasks, state);
    if (!task) return;
    try {
      if (what === 'cancel') {
        if (task.state !== 'pending' && task.state !== 'running') throw new Error(`task ${task.id} is ${task.state}; only pending or running tasks can be cancelled`);
        const t = await source.cancel(task);
        say(`Cancelled: ${t.id}`);
      } else {
        if (task.state !== 'failed' && task.state !== 'cancelled') throw new Error(`task ${task.id} is ${task.state}; only failed or cancelled tasks can be retried`);
        const t = await source.retry(task);
        say(`Retried: ${t.id}`);
      }
      await source.refresh();
    } catch (err) {
      say(`Error: ${(err as Error).message}`);
    }
  };

  screen.enter();
  source.on('changed', render);
  const tick = setInterval(render, REFRESH_MS);
  const onResize = (): void => {
    screen.invalidate();
    render();
  };
  process.stdout.on('resize', onResize);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  render();

  return new Promise((resolve) => {
    let quitting = false;
    const quit = (): void => {
      if (quitting) return;
      quitting = true;
      source.off('changed', render);
      process.off('SIGINT', quit);
      process.off('SIGTERM', quit);
      process.off('SIGHUP', quit);
      clearInterval(tick);
      if (expiry) clearTimeout(expiry);
      source.stop();
      process.stdout.off('resize', onResize);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      screen.leave();
      resolve(0);
    };
    const onKey = (key: string): void => {
      switch (key) {
        case 'q':
        case '\x03':
          return quit();
        case 'k':
        case '\x1b[A':
        case '\x1bOA':
          move(source.tasks, state, -1);
          break;
        case 'j':
        case '\x1b[B':
        case '\x1bOB':
          move(source.tasks, state, 1);
          break;
        case '\r':
        case '\n':
          if (source.tasks.length) {
            state.detailOpen = !state.detailOpen;
            state.detailScroll = 0;
          }
          break;
        case '\x1b':
          state.detailOpen = false;
          state.detailScroll = 0;
          break;
        case 'c':
          void act('cancel');
          return;
        case 'r':
          void act('retry');
          return;
        default:
          return;
      }
      const sel = selected(source.tasks, state);
      if (sel && state.selectedId === null) state.selectedId = sel.id;
      render();
    };
    process.stdin.on('data', (data: Buffer) => {
      for (const key of splitKeys(data.toString('utf8'))) if (!quitting) onKey(key);
    });
    // Signals from outside (kill, a closing terminal) leave the screen as cleanly as q.
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    process.once('SIGHUP', quit);
  });
}

