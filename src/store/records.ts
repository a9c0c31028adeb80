/**
 * One JSON record per task, written atomically (temp file + rename) so a
 * crash leaves either the old record or the new one, never half of one.
 *
 * Writes are synchronous (a small file, ~0.1 ms): the record on disk is never
 * behind what an agent was told, so `kill -9` right after a tool call loses
 * nothing. State transitions are then fsynced in the background, for the
 * rarer crash of the whole machine: grouped, once per turn of the event loop
 * for all the records that changed state in it (a record that changed twice
 * is synced once).
 *
 * Reads trust nothing they find: only `tasks/<digits>/` directories (not
 * symlinks) are looked at, the record file is opened without following a
 * symlink, and its content is parsed with the record schema.
 */
import fs from 'node:fs';
import type { Task } from '../core/task.js';
import { taskDir, type DataPaths } from './data-dir.js';
import { checkRecord, RECORD_VERSION } from './record-schema.js';
import { isTaskId } from './task-id.js';
import { fileIn, taskFile } from './task-files.js';

/** A record that was found but not used, and why. */
export interface RecordProblem {
  file: string;
  reason: string;
}

export type ProblemSink = (problem: RecordProblem) => void;

export class RecordStore {
  private readonly syncing = new Set<Promise<void>>();
  /** Records written durably in this turn, synced together at its end. */
  private readonly unsynced = new Set<string>();
  private tmpCounter = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly onError: (err: Error, id: string) => void,
    private readonly onProblem?: ProblemSink,
  ) {}

  recordFile(id: string): string {
    return taskFile(this.paths, id, 'record');
  }

  /** Writes the record now; with `durable`, also fsyncs it in the background. Never throws. */
  save(task: Task, durable: boolean): void {
    const file = this.recordFile(task.id);
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ version: RECORD_VERSION, ...task }, null, 2) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      this.onError(err as Error, task.id);
      return;
    }
    if (durable) {
      if (this.unsynced.size === 0) setImmediate(() => this.syncTurn());
      this.unsynced.add(file);
    }
  }

  private syncTurn(): void {
    const files = [...this.unsynced];
    this.unsynced.clear();
    const p: Promise<void> = Promise.all(files.map(fsyncFile)).then(() => void this.syncing.delete(p));
    this.syncing.add(p);
  }

  /** Waits for the background fsyncs started so far (and this turn's). */
  async flush(): Promise<void> {
    if (this.unsynced.size > 0) this.syncTurn();
    await Promise.all([...this.syncing]);
  }

  /** The record of task `id` (digits only), or null when there is none or it fails its checks. */
  load(id: string): Task | null {
    return isTaskId(id) ? readRecord(this.paths, id, this.onProblem) : null;
  }
}

/** Reads tasks/<id>/record.json; null (and a report, when it exists but is not a good record) otherwise. */
function readRecord(paths: DataPaths, id: string, onProblem: ProblemSink | undefined): Task | null {
  const dir = taskDir(paths, id);
  const file = fileIn(dir, 'record');
  const report = (reason: string): null => (onProblem?.({ file, reason }), null);
  let raw: string;
  try {
    if (!fs.lstatSync(dir).isDirectory()) return report('the task directory is a symlink or not a directory');
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      if (!fs.fstatSync(fd).isFile()) return report('not a regular file');
      raw = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No record yet: a task directory just claimed, whose first record is being written.
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') return report('record.json is a symlink');
    return report((err as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return report(`not JSON (${(err as Error).message})`);
  }
  const checked = checkRecord(value, id);
  return checked.ok ? checked.task : report(checked.reason);
}

async function fsyncFile(file: string): Promise<void> {
  try {
    const fh = await fs.promises.open(file, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* replaced or removed meanwhile: the newer write syncs itself */
  }
}

/** Names of the task directories: digits only; anything else in tasks/ is not ours and is left alone. */
export function taskDirNames(paths: DataPaths): string[] {
  try {
    return fs.readdirSync(paths.tasks).filter(isTaskId);
  } catch {
    return [];
  }
}

/**
 * Every good record on disk, newest id first; ids in `skip` are not read at
 * all. Records that fail their checks go to `onProblem` and are left out.
 */
export function loadAllRecords(paths: DataPaths, skip?: ReadonlySet<string> | Map<string, unknown>, onProblem?: ProblemSink): Task[] {
  const out: Task[] = [];
  for (const id of taskDirNames(paths)) {
    if (skip?.has(id)) continue;
    const task = readRecord(paths, id, onProblem);
    if (task) out.push(task);
  }
  return out.sort((a, b) => compareIds(b.id, a.id));
}

export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** What a person reads about a skipped record. */
export function describeProblem(p: RecordProblem): string {
  return `skipped the task record ${p.file}: ${p.reason}; it is left as it is`;
}

/** A sink that says each problem once (the same bad record is met on every read). */
export function reportOnce(say: (message: string) => void): ProblemSink {
  const seen = new Set<string>();
  return (p) => {
    const key = `${p.file}\0${p.reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    say(describeProblem(p));
  };
}
