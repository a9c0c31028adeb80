/**
 * `bgbash attach [id]`: a task's live terminal, full screen. Output as it
 * arrives, keystrokes forwarded to the task; Ctrl+B detaches the agent's
 * foreground run (its `bash` call returns at once, the command keeps running;
 * `attach.detachKey` picks another key, and inside tmux the footer says how
 * to get it through); Ctrl+] leaves, leaving the shell's screen as it was. The last line is a footer saying where you are and the keys.
 * Default target: the foreground run an agent is waiting on, else the newest
 * running task.
 */
import { printable } from '../../shared/printable.js';
import { isTerminal, type Task } from '../../shared/task.js';
import { elapsedLabel, taskLabel } from '../../shared/task-fields.js';
import { closeAll } from '../../control/discovery.js';
import { ControlClient } from '../../control/client.js';
import { logFileSize } from '../../store/output-log.js';
import { readOutputTo } from '../read-output.js';
import { taskFile } from '../../store/task-files.js';
import { CliError, taskArg, ownerOf, servers, NO_SERVER, type Cli } from '../context.js';
import { currentTasks } from './list.js';
import { stripText } from '../../tui/strip.js';
import { REFRESH_MS } from '../../tui/source.js';
import { liveServers } from '../../core/live-servers.js';
import { detachKey } from '../detach-key.js';
import { SERVER_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[id] [--server ID]',
  description: "A task's live terminal, full screen: its output as it arrives, your keys go to it. Ctrl+B detaches the\nagent's foreground run (attach.detachKey changes the key), Ctrl+] leaves. Default: the run an agent waits on,\nelse the newest running task.",
  options: { ...SERVER_OPTION },
  screen: true,
  maxArgs: 1,
  examples: ['bgbash attach', 'bgbash attach 12'],
};

const CTRL_RBRACKET = 0x1d;
const REPLAY_BYTES = 64 * 1024;

async function pickTarget(cli: Cli): Promise<Task> {
  const ref = cli.args.positionals[0];
  if (ref) return taskArg(cli, ref);
  const conns = await servers(cli);
  try {
    if (conns.length === 0) throw new CliError(NO_SERVER);
    for (const c of conns) {
      const hello = await c.client.request('hello', {}).catch(() => null);
      if (hello?.foreground.length) return (await c.client.request('status', { id: hello.foreground[0] })).task;
    }
  } finally {
    closeAll(conns);
  }
  const running = (await currentTasks(cli)).find((t) => t.state === 'running');
  if (!running) throw new CliError('nothing to attach to: no foreground run and no running task (give an id to view a finished one)');
  return running;
}

export async function run(cli: Cli): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new CliError('attach needs a terminal (stdin and stdout must be a TTY)', 2);
  let task = await pickTarget(cli);
  const owner = await ownerOf(cli, task);
  const client: ControlClient = owner.client;
  const out = process.stdout;
  const detach = detachKey(cli.config.attach.detachKey);
  // Once leaving starts nothing more is drawn: the shell's screen comes back as it was.
  let leaving = false;
  let message = '';
  let messageTimer: NodeJS.Timeout | null = null;
  let settled = false;
  let strip = '';
  const refreshStrip = (): void =>
    void currentTasks(cli)
      .then((all) => {
        strip = stripText(all, 60);
        footer();
      })
      .catch(() => undefined);

  const footer = (): void => {
    if (leaving) return;
    const rows = out.rows || 24;
    const cols = out.columns || 80;
    const state = isTerminal(task) ? `${task.state}${task.exit_code !== null ? ` (exit ${task.exit_code})` : ''}` : task.state;
    const here = ` #${task.id} ${printable(taskLabel(task)).replace(/\s+/g, ' ').slice(0, 30)} · ${state} ${elapsedLabel(task)}`;
    const keys = message || `${detach.label} detach · Ctrl+] leave`;
    // Where you are, then the strip (all tasks) when there is room, then the keys.
    const left = strip && here.length + strip.length + 3 + keys.length + 2 <= cols ? `${here} │${strip}` : here;
    const room = Math.max(0, cols - left.length - keys.length - 2);
    const line = (left + ' '.repeat(room) + ' ' + keys + ' ').slice(0, cols);
    // Save cursor, draw the footer in reverse video on the last row, restore.
    out.write(`\x1b7\x1b[${rows};1H\x1b[2K\x1b[7m${line}\x1b[0m\x1b8`);
  };
  const say = (text: string): void => {
    if (leaving) return;
    message = text;
    if (messageTimer) clearTimeout(messageTimer);
    messageTimer = setTimeout(() => {
      message = '';
      footer();
    }, 3000);
    footer();
  };
  const layout = (): void => {
    if (leaving) return;
    const rows = out.rows || 24;
    out.write(`\x1b[1;${rows - 1}r\x1b[${rows - 1};1H`);
    footer();
  };

  let held: Buffer[] | null = [];
  client.onEvent((e) => {
    if (e.event === 'output' && e.id === task.id) {
      const chunk = Buffer.from(e.data, 'base64');
      if (held) held.push(chunk);
      else if (!leaving) out.write(chunk);
    } else if ((e.event === 'task' || e.event === 'settled') && e.task.id === task.id) {
      task = e.task;
      if (e.event === 'settled') {
        settled = true;
        say('ended · Ctrl+] leave');
      }
      footer();
    } else if (e.event === 'detached' && e.id === task.id) {
      say(`detached: the agent goes on; #${task.id} keeps running`);
    }
  });
  // Said only when it is true: the connection closed without us leaving, and the server is gone (or is not).
  client.onClose(() => {
    if (leaving) return;
    const alive = liveServers(cli.paths).some((s) => s.id === owner.info.id);
    if (client.closeReason) say(`the server stopped sending: ${client.closeReason} · Ctrl+] leave`);
    else say(alive ? 'lost the connection to the server · Ctrl+] leave' : `the server stopped · Ctrl+] leave`);
  });

  // Raw before the first frame: a key pressed as soon as the screen shows must not be echoed by the terminal.
  process.stdin.setRawMode(true);
  out.write('\x1b[?1049h\x1b[2J\x1b[H');
  layout();
  // Inside tmux with Ctrl+B as its prefix: said first, above the task's output (the footer's keys say it too: "Ctrl+B Ctrl+B detach").
  if (detach.note) out.write(`\x1b[1;1H\x1b[7m bgbash: ${detach.note} \x1b[0m\r\n`);
  const file = taskFile(cli.paths, task.id, 'output');
  let replay: Buffer;
  try {
    const { offsets } = await client.request('subscribe', { output_of: [task.id] });
    const end = offsets[task.id] ?? logFileSize(file);
    replay = await readOutputTo(client, task.id, file, Math.max(0, end - REPLAY_BYTES), end);
  } catch (err) {
    // Give the terminal back as it was before saying what went wrong.
    leaving = true;
    process.stdin.setRawMode(false);
    out.write('\x1b[r\x1b[?1049l');
    client.close();
    throw err;
  }
  out.write(replay);
  for (const chunk of held) out.write(chunk);
  held = null;
  footer();
  process.stdin.resume();
  const tick = setInterval(footer, 1000);
  refreshStrip();
  const stripTick = setInterval(refreshStrip, REFRESH_MS);
  out.on('resize', layout);

  return new Promise((resolve) => {
    const leave = (): void => {
      if (leaving) return;
      leaving = true;
      process.off('SIGINT', leave);
      process.off('SIGTERM', leave);
      process.off('SIGHUP', leave);
      clearInterval(tick);
      clearInterval(stripTick);
      if (messageTimer) clearTimeout(messageTimer);
      out.off('resize', layout);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      out.write('\x1b[r\x1b[?1049l');
      client.close();
      resolve(0);
    };
    process.stdin.on('data', (data: Buffer) => {
      let start = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== detach.byte && data[i] !== CTRL_RBRACKET) continue;
        if (leaving) return;
        if (i > start && !settled) void client.request('input', { id: task.id, data: data.subarray(start, i).toString('binary') }).catch(() => undefined);
        start = i + 1;
        if (data[i] === CTRL_RBRACKET) return leave();
        client.request('detach', { id: task.id, by: 'attach' }).then(
          () => say(`detached: the agent goes on; #${task.id} keeps running`),
          (err: Error) => say(/not a foreground run/.test(err.message) ? 'already in the background' : `Error: ${err.message}`),
        );
      }
      if (start < data.length && !settled) {
        void client.request('input', { id: task.id, data: data.subarray(start).toString('binary') }).catch((err: Error) => say(`Error: ${err.message}`));
      }
    });
    process.once('SIGINT', leave);
    process.once('SIGTERM', leave);
    process.once('SIGHUP', leave);
  });
}
