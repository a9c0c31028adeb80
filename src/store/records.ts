/**
 * One JSON record per task, written atomically (temp file + rename) so a
 * crash leaves either the old record or the new one, never half of one.
 *
 * Writes are synchronous (a small file, ~0.1 ms): the record on disk is never
 * behind what an agent was told, so `kill -9` right after a tool call loses
 * nothing. State transitions are then fsynced in the background, for the
 * rarer crash of the whole machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Task } from '../core/task.js';
import { taskDir, type DataPaths } from './data-dir.js';

export class RecordStore {
  private readonly syncing = new Set<Promise<void>>();
  private tmpCounter = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly onError: (err: Error, id: string) => void,
  ) {}

  recordFile(id: string): string {
    return path.join(taskDir(this.paths, id), 'record.json');
  }

  /** Writes the record now; with `durable`, also fsyncs it in the background. Never throws. */
  save(task: Task, durable: boolean): void {
    const file = this.recordFile(task.id);
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(task, null, 2) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      this.onError(err as Error, task.id);
      return;
    }
    if (durable) {
      const p = fsyncFile(file).finally(() => this.syncing.delete(p));
      this.syncing.add(p);
    }
  }

  /** Waits for the background fsyncs started so far. */
  async flush(): Promise<void> {
    await Promise.all([...this.syncing]);
  }

  load(id: string): Task | null {
    try {
      return JSON.parse(fs.readFileSync(this.recordFile(id), 'utf8')) as Task;
    } catch {
      return null;
    }
  }
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

/** Every readable record on disk, newest id first; ids in `skip` are not read at all. */
export function loadAllRecords(paths: DataPaths, skip?: ReadonlySet<string> | Map<string, unknown>): Task[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(paths.tasks);
  } catch {
    return [];
  }
  const out: Task[] = [];
  for (const id of ids) {
    if (skip?.has(id)) continue;
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(paths.tasks, id, 'record.json'), 'utf8')) as Task);
    } catch {
      /* a task dir whose first record is not written yet, or a foreign file */
    }
  }
  return out.sort((a, b) => compareIds(b.id, a.id));
}

export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
