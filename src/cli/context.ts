/**
 * What every CLI command shares: config and data dir, finding a task by id or
 * prefix in the on-disk records, and reaching the server that owns it.
 */
import { inert } from '../shared/printable.js';
import { loadConfig, type Config } from '../config.js';
import { connectAll, currentTasks, NO_SERVER, ownerOf as ownerIn, type Connected } from '../control/discovery.js';
import type { Task } from '../shared/task.js';
import { dataPaths, type DataPaths } from '../store/data-dir.js';
import { reportOnce, type ProblemSink } from '../store/records.js';
import { NotFoundError, UserError } from '../shared/errors.js';
import { findTask } from '../core/task-lookup.js';
import type { ParsedArgs } from './args.js';

/** An error that ends the command with a message and an exit code (1: failed / not found, 2: usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export { NO_SERVER };

export interface Cli {
  args: ParsedArgs;
  config: Config;
  paths: DataPaths;
  json: boolean;
  out(text: string): void;
  /** Records on disk that fail their checks are said on stderr, once each, and skipped. */
  badRecord: ProblemSink;
}

/** Config is read on first use, so commands that need none (serve loads its own, help) never read it. */
export function makeCli(args: ParsedArgs): Cli {
  let config: Config | undefined;
  let paths: DataPaths | undefined;
  return {
    args,
    get config() {
      // A project's broken or untrusted config never stops a CLI command: its keys are skipped, and said so.
      return (config ??= loadConfig({ ...args.load, lenientProject: true, onWarning: (msg) => void process.stderr.write(`bgbash: warning: ${msg}\n`) }));
    },
    get paths() {
      return (paths ??= dataPaths(this.config.dataDir));
    },
    json: args.flags.has('--json'),
    // Everything the CLI prints goes out inert (see core/printable.ts); task fields were already gated.
    out: (text) => void process.stdout.write(inert(text.endsWith('\n') ? text : text + '\n')),
    badRecord: reportOnce((msg) => void process.stderr.write(`bgbash: ${msg}\n`)),
  };
}

/** The task a command's argument names (id, "#id" or unique prefix): core's one lookup over the records on disk, its errors as the CLI's. */
export function taskArg(cli: Cli, ref: string | undefined): Task {
  if (!ref) throw new CliError('which task? Give its id (bgbash list shows them)', 2);
  try {
    return findTask(ref, { own: new Map(), paths: cli.paths, self: 'cli', onProblem: cli.badRecord });
  } catch (err) {
    if (err instanceof NotFoundError) throw new CliError(`no task with id "${ref.trim().replace(/^#/, '')}" in ${cli.paths.root}`);
    // A malformed id is a usage error (exit 2), like a missing one.
    if (err instanceof UserError) throw new CliError(err.message, /is ambiguous/.test(err.message) ? 1 : 2);
    throw err;
  }
}

/**
 * Like taskArg, and a task with no record on disk (its server could not write one: a full data dir)
 * is found by asking the live servers, as `bgbash list` does.
 */
export async function taskArgLive(cli: Cli, ref: string | undefined): Promise<Task> {
  try {
    return taskArg(cli, ref);
  } catch (err) {
    const id = ref?.trim().replace(/^#/, '');
    if (!(err instanceof CliError) || !id || !/^\d+$/.test(id)) throw err;
    const live = (await currentTasks(cli.paths, cli.badRecord, await connectAll(cli.paths).catch(() => []))).find((t) => t.id === id);
    if (!live) throw err;
    return live;
  }
}

/** The servers to talk to: all live ones, or the one --server names. */
export async function servers(cli: Cli): Promise<Connected[]> {
  const want = cli.args.flags.get('--server');
  const all = await connectAll(cli.paths);
  // A daemon's own entry stands behind its sessions' entries: the sessions are what a person picks from.
  const conns = all.some((c) => c.info.daemon) ? all.filter((c) => c.info.role !== 'daemon' || (typeof want === 'string' && c.info.id.startsWith(want))) : all;
  for (const c of all) if (!conns.includes(c)) c.client.close();
  if (typeof want !== 'string') return conns;
  const picked = conns.filter((c) => c.info.id.startsWith(want));
  for (const c of conns) if (!picked.includes(c)) c.client.close();
  if (picked.length === 0) throw new CliError(`no running bgbash server with id "${want}" (running: ${conns.map((c) => c.info.id).join(', ') || 'none'})`);
  if (picked.length > 1) throw new CliError(`server id "${want}" is ambiguous`, 2);
  return picked;
}

/** One server to submit to: --server, the only one, or the newest (said on stderr). */
export async function oneServer(cli: Cli): Promise<Connected> {
  const conns = await servers(cli);
  if (conns.length === 0) throw new CliError(NO_SERVER);
  const [first, ...rest] = conns;
  for (const c of rest) c.client.close();
  if (rest.length > 0 && !cli.args.flags.has('--server')) {
    process.stderr.write(`bgbash: ${conns.length} servers are running; using the newest, ${first.info.id} (pick one with --server ID)\n`);
  }
  return first;
}

/** The live server that owns a task; a clear error when it is gone. */
export function ownerOf(cli: Cli, task: Task): Promise<Connected> {
  return ownerIn(cli.paths, task);
}
