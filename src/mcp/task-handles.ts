/**
 * Durable MCP task handles (2026-07-28 tasks extension): one per bgbash task
 * that was answered with `resultType: "task"`. A handle is the bgbash task id
 * plus a random secret ("12.Kx3…"): the extension asks for ids a third party
 * cannot guess, while the bgbash id stays readable in logs. Each handle is a
 * small file beside the records (<data dir>/mcp-tasks/<task id>.json), so a
 * client that keeps its handles across a restart (Claude Code re-polls them
 * after a session resume) still gets an answer from the next server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DataPaths } from '../store/data-dir.js';

const handleSchema = z.object({
  v: z.literal(1),
  handle: z.string(),
  task_id: z.string(),
  created_at: z.string(),
  /** The completed result went out through tasks/get (so the notice was delivered that way). */
  delivered: z.boolean(),
  /** The client cancelled it with tasks/cancel: its status is "cancelled", not a result. */
  cancelled_by_client: z.boolean(),
});

export type Handle = z.infer<typeof handleSchema>;

/** "<task id>.<secret>": the id part is checked before it ever names a file. */
const HANDLE_RE = /^([A-Za-z0-9]{1,32})\.([A-Za-z0-9_-]{16,64})$/;

export class TaskHandles {
  private readonly dir: string;

  constructor(paths: DataPaths) {
    this.dir = paths.mcpTasks;
  }

  private file(taskId: string): string {
    return path.join(this.dir, `${taskId}.json`);
  }

  /** The handle of a bgbash task, made on first use. */
  ensure(taskId: string): Handle {
    const existing = this.byTask(taskId);
    if (existing) return existing;
    const handle: Handle = {
      v: 1,
      handle: `${taskId}.${randomBytes(16).toString('base64url')}`,
      task_id: taskId,
      created_at: new Date().toISOString(),
      delivered: false,
      cancelled_by_client: false,
    };
    this.save(handle);
    return handle;
  }

  byTask(taskId: string): Handle | null {
    if (!/^[A-Za-z0-9]{1,32}$/.test(taskId)) return null;
    try {
      const parsed = handleSchema.safeParse(JSON.parse(fs.readFileSync(this.file(taskId), 'utf8')));
      return parsed.success && parsed.data.task_id === taskId ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** The handle a client names, if it is one of ours (secret compared in constant time). */
  find(handle: string): Handle | null {
    const m = HANDLE_RE.exec(handle);
    if (!m) return null;
    const found = this.byTask(m[1]);
    if (!found) return null;
    const a = Buffer.from(found.handle);
    const b = Buffer.from(handle);
    return a.length === b.length && timingSafeEqual(a, b) ? found : null;
  }

  update(handle: Handle, patch: Partial<Pick<Handle, 'delivered' | 'cancelled_by_client'>>): Handle {
    const next = { ...handle, ...patch };
    this.save(next);
    return next;
  }

  private save(handle: Handle): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(handle.task_id);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(handle) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
}
