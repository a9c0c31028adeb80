/**
 * What a task id is, in one place: a decimal number. On disk it is the name of
 * the task's directory (tasks/<digits>/), so nothing read from a record or
 * sent by a client can name a path: every id is checked here before use.
 */
import { UserError } from '../shared/errors.js';

/** A task directory's name, and so a task id. */
export const TASK_ID_RE = /^[0-9]{1,15}$/;

/**
 * Where the ids handed out on a full data dir start (store/ids.ts): no data dir
 * counts this high with small numbers. Such an id has no directory until its
 * record can be written.
 */
export const FULL_DISK_IDS = 10 ** 12;

export function isFullDiskId(id: string): boolean {
  return Number(id) >= FULL_DISK_IDS;
}

export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID_RE.test(value);
}

/**
 * A reference to a task as people and agents write it: 12, "12", "#12", or a
 * unique digit prefix of an id. Returns its digits; anything else is refused
 * with an error naming `field`.
 */
export function parseTaskRef(ref: unknown, field = 'task_id'): string {
  if (typeof ref === 'number') {
    if (Number.isSafeInteger(ref) && ref >= 0) return String(ref);
    throw new UserError(`${field}: ${ref} is not a task id (task ids are whole numbers such as 12)`, field);
  }
  if (typeof ref !== 'string') throw new UserError(`${field} must be a task id such as 12 or "#12"`, field);
  const key = ref.trim().replace(/^#/, '');
  if (!key) throw new UserError(`${field} is empty: give a task id such as 12 or "#12"`, field);
  if (!TASK_ID_RE.test(key)) {
    throw new UserError(`${field}: ${JSON.stringify(ref.slice(0, 80))} is not a task id (task ids are numbers such as 12 or "#12"; task_list shows them)`, field);
  }
  return key;
}
