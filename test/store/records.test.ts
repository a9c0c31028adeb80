/**
 * Task ids handed out on a full data dir, and when a record's write makes its
 * task directory: real files in a temp data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { transition, type Task } from '../../src/shared/task.js';
import { ensureDataDir, taskDir } from '../../src/store/data-dir.js';
import { IdAllocator } from '../../src/store/ids.js';
import { RecordStore } from '../../src/store/records.js';
import { isTaskId } from '../../src/store/task-id.js';
import { tempDir } from '../helpers/server.js';

const at = '2026-01-01T00:00:00.000Z';
function running(id: string): Task {
  const pending: Task = {
    id, kind: 'shell', state: 'pending', command: 'true', prompt: null, cwd: '/', env: {}, name: null, origin: null, session: null,
    deliver_to: [], pty: true, timeout_ms: 1000, server: 's', retry_of: null, notify_on: null, created_at: at, output_bytes: 0, output_dropped: 0, tokens: 0, result: null,
  };
  return transition(pending, { type: 'start', pid: 42, at });
}
const done = (id: string): Task => transition(running(id), { type: 'exit', exit_code: 0, signal: null, at });

function store(): { paths: ReturnType<typeof ensureDataDir>; records: RecordStore; errors: string[] } {
  const paths = ensureDataDir(tempDir('bgbash-records-'));
  const errors: string[] = [];
  return { paths, records: new RecordStore(paths, (err, id) => void errors.push(`${id}: ${err.message}`)), errors };
}

describe('full-disk ids', () => {
  it('never repeat while none of them has a directory, and stay task ids (15 digits) for the largest pid', () => {
    const paths = ensureDataDir(tempDir('bgbash-ids-'));
    // No id can be claimed: tasks/ is a file, so every mkdir in it fails (as on a full disk).
    fs.rmSync(paths.tasks, { recursive: true });
    fs.writeFileSync(paths.tasks, '');
    for (const pid of [process.pid, 4_194_304]) {
      const ids = new IdAllocator(paths, pid);
      const errors: string[] = [];
      const got = Array.from({ length: 2500 }, () => ids.allocate((e) => void errors.push(e.message)));
      expect(new Set(got).size).toBe(got.length);
      expect(got.every(isTaskId)).toBe(true);
      expect(errors).toHaveLength(2500);
    }
  });
});

describe('writing a record', () => {
  it('makes the directory of an id handed out on a full disk', () => {
    const { paths, records, errors } = store();
    const id = String(10 ** 12 + 4242 * 10 ** 8);
    records.save(running(id), false);
    expect(errors).toEqual([]);
    expect(records.load(id)?.state).toBe('running');
  });

  it('does not make again the directory of a settled task that was removed (retention); a live task stays findable', () => {
    const { paths, records, errors } = store();
    for (const id of ['7', '8']) fs.mkdirSync(taskDir(paths, id));
    records.save(done('7'), true);
    fs.rmSync(taskDir(paths, '7'), { recursive: true });
    // A late note about the settled task (port_clash, lost bytes): written nowhere, and no error.
    records.save({ ...done('7'), port_clash: 'port 1 is held' }, false);
    expect(fs.existsSync(taskDir(paths, '7'))).toBe(false);
    expect(records.unsaved.size).toBe(0);

    records.save(running('8'), false);
    fs.rmSync(taskDir(paths, '8'), { recursive: true });
    records.save({ ...running('8'), output_bytes: 10 }, false);
    expect(records.load('8')?.output_bytes).toBe(10);
    expect(errors).toEqual([]);
    expect(fs.readdirSync(paths.tasks).filter((n) => !n.startsWith('.'))).toEqual(['8']);
    expect(path.dirname(records.recordFile('8'))).toBe(taskDir(paths, '8'));
  });
});
