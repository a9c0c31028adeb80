/** `bgbash output <id> [-f] [--raw]`: a task's output; -f follows it until it ends. */
import { StringDecoder } from 'node:string_decoder';
import { isTerminal } from '../../core/task.js';
import { cleanText } from '../../run/clean.js';
import { logFileSize, readLogFile } from '../../store/output-log.js';
import { taskFile } from '../../store/task-files.js';
import { taskArg, ownerOf, type Cli } from '../context.js';
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
  const decoder = new StringDecoder('utf8');
  // Clean line by line as it streams, so a progress bar split across chunks still collapses.
  let partial = '';
  const write = (buf: Buffer, final = false): void => {
    if (raw) return void process.stdout.write(buf);
    const text = partial + decoder.write(buf) + (final ? decoder.end() : '');
    const cut = final ? text.length : text.lastIndexOf('\n') + 1;
    partial = text.slice(cut);
    if (cut > 0) process.stdout.write(cleanText(text.slice(0, cut)));
  };
  if (!cli.args.flags.has('--follow') || isTerminal(task)) {
    write(await readLogFile(file, 0, logFileSize(file)), true);
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
        else write(chunk);
      }
      if (e.event === 'settled' && e.task.id === task.id) resolve();
    });
    owner.client.onClose(resolve);
  });
  const { offsets } = await owner.client.request('subscribe', { output_of: [task.id] });
  write(await readLogFile(file, 0, offsets[task.id] ?? 0));
  for (const chunk of held) write(chunk);
  held = null;
  // It may have settled between reading its record and subscribing.
  const now = await owner.client.request('status', { id: task.id });
  if (!now.settled) await done;
  write(Buffer.alloc(0), true);
  owner.client.close();
  return 0;
}
