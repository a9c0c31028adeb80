/** The fields of a server or watcher task in a record read back from disk (hostile input): checked, or the record is skipped with the reason. */
import { describe, expect, it } from 'vitest';
import { checkRecord } from '../../src/store/record-schema.js';

const running = {
  version: 1, id: '7', kind: 'shell', state: 'running', command: 'npm run dev', prompt: null, cwd: '/app', env: {}, name: 'web', origin: 'claude-code', session: 's1',
  deliver_to: [], pty: true, timeout_ms: 0, server: 'abc', retry_of: null, notify_on: null, created_at: '2026-01-01T00:00:00Z', output_bytes: 0, output_dropped: 0, tokens: 0, result: null,
  started_at: '2026-01-01T00:00:01Z', pid: 4242, persistent: true, project: '/app', ports: [5173, 24678],
};

describe('records of persistent tasks', () => {
  it('keeps persistent, project and ports', () => {
    const r = checkRecord(running, '7');
    expect(r).toMatchObject({ ok: true, task: { persistent: true, project: '/app', ports: [5173, 24678], timeout_ms: 0 } });
  });

  it.each([
    ['ports', { ports: ['5173'] }, /"ports\.0"/],
    ['ports', { ports: [70000] }, /"ports\.0"/],
    ['ports', { ports: [0] }, /"ports\.0"/],
    ['ports', { ports: 5173 }, /"ports"/],
    ['persistent', { persistent: 'yes' }, /"persistent"/],
    ['project', { project: '' }, /"project"/],
    ['port_clash', { port_clash: 12 }, /"port_clash"/],
  ])('refuses a bad %s', (_field, patch, reason) => {
    const r = checkRecord({ ...running, ...patch }, '7');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});
