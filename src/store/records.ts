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
import { isTerminal, type Task } from '../shared/task.js';
import { taskDir, type DataPaths } from './data-dir.js';
import { checkRecord, RECORD_VERSION } from './record-schema.js';
import { isFullDiskId, isTaskId } from './task-id.js';
import { fileIn, taskFile } from './task-files.js';

/** A record that was found but not used, and why. */
export interface RecordProblem {
  file: string;
  reason: string;
}

export type ProblemSink = (problem: RecordProblem) => void;

/** First retry of a record that could not be written, and the longest wait between retries. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5000;

export class RecordStore {
  private readonly syncing = new Set<Promise<void>>();
  /** Records written durably in this turn, synced together at its end. */
  private readonly unsynced = new Set<string>();
  private tmpCounter = 0;
  /** Records that could not be written (disk full, read-only), latest version each: written again until they are. */
  private readonly failed = new Map<string, { task: Task; durable: boolean }>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_FIRST_MS;

  constructor(
    private readonly paths: DataPaths,
    private readonly onError: (err: Error, id: string) => void,
    private readonly onProblem?: ProblemSink,
    /** A record that could not be written earlier now is (space came back). */
    private readonly onSaved?: (id: string) => void,
  ) {}

  /** Ids whose latest record is not on disk yet. */
  get unsaved(): ReadonlySet<string> {
    return new Set(this.failed.keys());
  }

  recordFile(id: string): string {
    return taskFile(this.paths, id, 'record');
  }

  /** Writes the record now; with `durable`, also fsyncs it in the background. Never throws. */
  save(task: Task, durable: boolean): void {
    const wasFailed = this.failed.has(task.id);
    if (!this.write(task)) {
      // Kept and written again later: a task that ends on a full disk has its end on disk once space returns.
      const before = this.failed.get(task.id);
      this.failed.set(task.id, { task, durable: durable || (before?.durable ?? false) });
      this.scheduleRetry();
      return;
    }
    if (wasFailed) {
      this.failed.delete(task.id);
      this.onSaved?.(task.id);
    }
    if (durable) this.syncSoon(this.recordFile(task.id));
  }

  /**
   * Writes the record (atomically); false, and onError, when it could not.
   * The task directory is made only when it is missing for a reason: an id
   * handed out on a full disk (store/ids.ts) has none until now, and a live
   * task's record must stay findable. A settled task's directory that is gone
   * was removed (retention, or by hand): it is not made again for a late
   * note, and there is nothing left to write (true).
   */
  private write(task: Task, report = true): boolean {
    const file = this.recordFile(task.id);
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    // record_error is this server's note about the writing itself, never part of the record.
    const text = JSON.stringify({ version: RECORD_VERSION, ...task, record_error: undefined }, null, 2) + '\n';
    try {
      try {
        fs.writeFileSync(tmp, text, { mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!isFullDiskId(task.id) && isTerminal(task)) return true;
        fs.mkdirSync(taskDir(this.paths, task.id), { recursive: true, mode: 0o700 });
        fs.writeFileSync(tmp, text, { mode: 0o600 });
      }
      fs.renameSync(tmp, file);
      return true;
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if (report) this.onError(err as Error, task.id);
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      let ok = 0;
      for (const [id, { task, durable }] of [...this.failed]) {
        if (!this.write(task, false)) continue;
        ok++;
        this.failed.delete(id);
        if (durable) this.syncSoon(this.recordFile(id));
        this.onSaved?.(id);
      }
      // Back off while nothing gets through; start again quickly once something did.
      this.retryMs = ok ? RETRY_FIRST_MS : Math.min(RETRY_MAX_MS, this.retryMs * 2);
      if (this.failed.size) this.scheduleRetry();
    }, this.retryMs);
    // Retrying must not keep a server alive that has nothing else to do.
    this.retryTimer.unref();
  }

  private syncSoon(file: string): void {
    {
      if (this.unsynced.size === 0) setImmediate(() => this.syncTurn());
      this.unsynced.add(file);
    }
  }

  /** One last try for every record not yet written (at shutdown). True when none is left. */
  retryNow(): boolean {
    for (const [id, { task }] of [...this.failed]) {
      if (this.write(task, false)) {
        this.failed.delete(id);
        this.onSaved?.(id);
      }
    }
    return this.failed.size === 0;
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
