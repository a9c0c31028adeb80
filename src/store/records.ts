/**
 * One JSON record per task, written atomically (temp file + rename) so a
 * crash leaves either the old record or the new one, never half of one.
 * Writes are asynchronous and coalesced per task: while one is in flight,
 * later saves collapse into a single follow-up write of the newest state.
 * State transitions are fsynced; progress updates are not.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Task } from '../core/task.js';
import { taskDir, type DataPaths } from './data-dir.js';

interface Slot {
  writing: Promise<void> | null;
  next: { task: Task; durable: boolean } | null;
}

export class RecordStore {
  private readonly slots = new Map<string, Slot>();
  private tmpCounter = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly onError: (err: Error, id: string) => void,
  ) {}

  recordFile(id: string): string {
    return path.join(taskDir(this.paths, id), 'record.json');
  }

  save(task: Task, durable: boolean): Promise<void> {
    let slot = this.slots.get(task.id);
    if (!slot) {
      slot = { writing: null, next: null };
      this.slots.set(task.id, slot);
    }
    const pendingDurable = slot.next?.durable ?? false;
    slot.next = { task, durable: durable || pendingDurable };
    if (!slot.writing) slot.writing = this.drain(task.id, slot);
    return slot.writing;
  }

  private async drain(id: string, slot: Slot): Promise<void> {
    while (slot.next) {
      const { task, durable } = slot.next;
      slot.next = null;
      try {
        await this.write(task, durable);
      } catch (err) {
        this.onError(err as Error, id);
      }
    }
    slot.writing = null;
    this.slots.delete(id);
  }

  private async write(task: Task, durable: boolean): Promise<void> {
    const file = this.recordFile(task.id);
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    const fh = await fs.promises.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(task, null, 2) + '\n');
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  }

  /** Waits until every save made so far is on disk. */
  async flush(): Promise<void> {
    while (this.slots.size > 0) {
      await Promise.all([...this.slots.values()].map((s) => s.writing));
    }
  }

  load(id: string): Task | null {
    try {
      return JSON.parse(fs.readFileSync(this.recordFile(id), 'utf8')) as Task;
    } catch {
      return null;
    }
  }

  /** Every readable record on disk, newest id first. */
  loadAll(): Task[] {
    return loadAllRecords(this.paths);
  }
}

export function loadAllRecords(paths: DataPaths): Task[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(paths.tasks);
  } catch {
    return [];
  }
  const out: Task[] = [];
  for (const id of ids) {
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
