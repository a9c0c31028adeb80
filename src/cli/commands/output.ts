/** `bgbash output <id> [-f] [--raw]`: a task's output; -f follows it until it ends. */
import { isTerminal } from '../../shared/task.js';
import { LogRenderer } from '../../run/render-log.js';
import { logFileSize, readLogFile } from '../../store/output-log.js';
import { taskFile } from '../../store/task-files.js';
import { taskArg, ownerOf, type Cli } from '../context.js';
import { readOutputTo } from '../read-output.js';
import { type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '<id> [-f] [--raw]',
  description: "A task's output, cleaned for reading (no colours, progress bars collapsed); --raw gives the bytes as written.",
  options: {
    follow: { type: 'boolean', short: 'f', help: 'Keep printing new output until the task ends' },
    raw: { type: 'boolean', help: 'The bytes as the command wrote them' },
  },
  maxArgs: 1,
  examples: ['bgbash output 12', 'bgbash output 12 -f', 'bgbash output 12 --raw > build.log'],
};

export async function run(cli: Cli): Promise<number> {
  const task = taskArg(cli, cli.args.positionals[0]);
  const raw = cli.args.flags.has('--raw');
  const file = taskFile(cli.paths, task.id, 'output');
  // Rendered as a terminal of the task's size shows it, a batch of whole lines at a time, in order.
  const { cols, rows } = cli.config.terminal;
  const log = new LogRenderer({ cols, rows, pty: task.pty });
  let queue = Promise.resolve();
  const write = (buf: Buffer, final = false): Promise<void> => {
    if (raw) return new Promise((resolve) => void process.stdout.write(buf, () => resolve()));
    queue = queue.then(async () => {
      const text = await log.push(buf, final);
      if (text) process.stdout.write(text);
    });
    return queue;
  };
  if (!cli.args.flags.has('--follow') || isTerminal(task)) {
    const total = logFileSize(file);
    for (let at = 0; at < total; ) {
      const buf = await readLogFile(file, at, Math.min(total, at + 1024 * 1024));
      if (!buf.length) break;
      at += buf.length;
      await write(buf);
    }
    await write(Buffer.alloc(0), true);
    return 0;
  }
  const owner = await ownerOf(cli, task);
  // Live output waits until what is already in the log has been written.
  let held: Buffer[] | null = [];
  const done = new Promise<void>((resolve) => {
    owner.client.onEvent((e) => {
      if (e.event === 'output' && e.id === task.id) {
        const chunk = Buffer.from(e.data, 'base64');
        if (held) held.push(chunk);
        else void write(chunk);
      }
      if (e.event === 'settled' && e.task.id === task.id) resolve();
    });
    owner.client.onClose(() => {
      if (owner.client.closeReason) process.stderr.write(`bgbash: the server stopped sending output: ${owner.client.closeReason}\n`);
      resolve();
    });
  });
  const { offsets } = await owner.client.request('subscribe', { output_of: [task.id] });
  void write(await readOutputTo(owner.client, task.id, file, 0, offsets[task.id] ?? 0));
  for (const chunk of held) void write(chunk);
  held = null;
  // It may have settled between reading its record and subscribing.
  const now = await owner.client.request('status', { id: task.id });
  if (!now.settled) await done;
  await write(Buffer.alloc(0), true);
  owner.client.close();
  return 0;
}
