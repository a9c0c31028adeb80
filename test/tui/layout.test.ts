import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/shared/task.js';
import { columns, fit, split, splitKeys, wrap } from '../../src/tui/layout.js';
import { cutName, stripText } from '../../src/tui/strip.js';

describe('split (detail open)', () => {
  it.each([
    // height, table, detail
    [14, 6, 8],
    [15, 6, 9],
    [20, 8, 12],
    [24, 10, 14],
    [40, 16, 24],
    [100, 40, 60],
  ])('height %i → table %i, detail %i', (h, table, detail) => {
    const s = split(h, true);
    expect(s).toMatchObject({ table, detail, fullScreenDetail: false });
    expect(s.table + s.detail).toBe(h);
    expect(s.detail).toBeLessThanOrEqual(Math.floor(h * 0.6) || 8);
    expect(s.table).toBeGreaterThanOrEqual(Math.ceil(h * 0.4));
    expect(s.taskRows).toBe(table - 3);
    expect(s.detailBody).toBe(detail - 2);
  });

  it('always keeps 6 table rows and 8 detail rows from 14 up', () => {
    for (let h = 14; h <= 200; h++) {
      const s = split(h, true);
      expect(s.table, `h=${h}`).toBeGreaterThanOrEqual(6);
      expect(s.detail, `h=${h}`).toBeGreaterThanOrEqual(8);
      expect(s.table + s.detail).toBe(h);
    }
  });

  it('below 14 rows the panel takes the page', () => {
    expect(split(13, true)).toMatchObject({ fullScreenDetail: true, table: 1, detail: 12, taskRows: 0, detailBody: 10 });
    expect(split(8, true)).toMatchObject({ fullScreenDetail: true, detail: 7 });
  });

  it('closed: the table takes all but title, header, separator and help bar', () => {
    expect(split(24, false)).toMatchObject({ table: 24, detail: 0, taskRows: 20 });
    expect(split(14, false).taskRows).toBe(10);
  });
});

describe('columns', () => {
  it('hides Elapsed below 50 columns', () => {
    expect(columns(49, 2).elapsed).toBe(0);
    expect(columns(50, 2).elapsed).toBe(8);
  });
  it('gives Prompt the rest', () => {
    const c = columns(80, 3);
    expect(2 + c.id + c.prompt + c.status + c.elapsed + 3 * 3).toBe(80);
    const n = columns(40, 3);
    expect(2 + n.id + n.prompt + n.status + 2 * 2).toBe(40);
  });
});

describe('text helpers', () => {
  it('fit cuts with an ellipsis; wrap keeps words whole', () => {
    expect(fit('abcdefgh', 5)).toBe('abcd…');
    expect(fit('abc', 5)).toBe('abc');
    expect(wrap('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrap('aaaaaaaaaaaaaaa', 6)).toEqual(['aaaaaa', 'aaaaaa', 'aaa']);
  });
});

// A fixed clock: elapsed figures must not depend on how loaded the machine is.
const NOW = Date.parse('2026-01-01T12:00:00Z');

function task(id: string, state: Task['state'], name: string, startedAgoMs = 5000): Task {
  const now = NOW;
  const base: any = {
    id, kind: 'shell', state, command: name, prompt: null, cwd: '/', env: {}, name: null, origin: null, session: null, deliver_to: [], pty: true,
    timeout_ms: 1000, server: 's', retry_of: null, notify_on: null, created_at: new Date(now - startedAgoMs + Number(id)).toISOString(), output_bytes: 0, output_dropped: 0, tokens: 0, result: null,
  };
  if (state !== 'pending') base.started_at = new Date(now - startedAgoMs).toISOString();
  if (state === 'running') base.pid = 1;
  if (['done', 'failed', 'cancelled'].includes(state)) Object.assign(base, { ended_at: new Date(now - startedAgoMs + 2000).toISOString(), exit_code: 0, signal: null, error: 'x' });
  return base as Task;
}

describe('strip', () => {
  it('is hidden with no tasks', () => {
    expect(stripText([], 80)).toBe('');
  });
  it('shows running, pending only when > 0, and the latest task', () => {
    const now = NOW;
    expect(stripText([task('1', 'running', 'npm test'), task('2', 'done', 'npm run build')], 80, now)).toBe(' Tasks: 1 running | npm run build done 2.0s');
    expect(stripText([task('1', 'running', 'a'), task('2', 'pending', 'b'), task('3', 'pending', 'c')], 80, now)).toBe(' Tasks: 1 running  2 pending | c pending -');
  });
  it('counts live persistent tasks and shows the newest listening port', () => {
    const web = { ...task('1', 'running', 'npm run dev'), persistent: true, ports: [5173, 24678] } as Task;
    expect(stripText([web, task('2', 'done', 'npm test')], 80, NOW)).toBe(' Tasks: 1 running (1 persistent) :5173 | npm test done 2.0s');
  });
  it('cuts the name to 30 characters (27 + "...")', () => {
    expect(cutName('x'.repeat(30))).toBe('x'.repeat(30));
    expect(cutName('x'.repeat(31))).toBe('x'.repeat(27) + '...');
    expect(stripText([task('1', 'running', 'y'.repeat(50))], 100)).toContain(` | ${'y'.repeat(27)}... running `);
  });
  it('fits narrow terminals on one line', () => {
    const tasks = [task('1', 'running', 'a long command name here')];
    for (const w of [60, 40, 30, 20, 12]) {
      const line = stripText(tasks, w, NOW);
      expect(line.length, `width ${w}`).toBeLessThanOrEqual(w);
      expect(line).not.toContain('\n');
    }
  });
  it('narrowing: the name whole (or 27 + "...") or not at all, then the latest task, then the pending count (issue 27)', () => {
    const long = [task('1', 'running', 'npm run test -- --reporter=verbose --coverage')];
    // 63 columns: the seed's cut (27 + "...") fits.
    expect(stripText(long, 63, NOW)).toBe(' Tasks: 1 running | npm run test -- --reporter=... running 5.0s');
    // 60 columns: it does not; the name is dropped, never cut shorter with "…".
    expect(stripText(long, 60, NOW)).toBe(' Tasks: 1 running | running 5.0s');
    for (const w of [32, 40, 50, 62]) expect(stripText(long, w, NOW)).toBe(' Tasks: 1 running | running 5.0s');
    // 30 columns: the name goes first, the latest task's status stays while it fits.
    const ended = [task('1', 'done', 'npm run test -- --reporter=verbose')];
    expect(stripText(ended, 30, NOW)).toBe(' Tasks: 0 running | done 2.0s');
    expect(stripText(long, 30, NOW)).toBe(' Tasks: 1 running');
    const queued = [task('1', 'running', 'a'), task('2', 'pending', 'b')];
    expect(stripText(queued, 30, NOW)).toBe(' Tasks: 1 running  1 pending');
    expect(stripText(queued, 20, NOW)).toBe(' 1 running');
  });
});

describe('splitKeys', () => {
  it('splits a burst of keys, keeping escape sequences whole', () => {
    expect(splitKeys('jj\r')).toEqual(['j', 'j', '\r']);
    expect(splitKeys('\x1b[A\x1b[Bk')).toEqual(['\x1b[A', '\x1b[B', 'k']);
    expect(splitKeys('\x1b')).toEqual(['\x1b']);
  });
});

describe('Tasks page, a server task', () => {
  it('marks a live persistent task in the table and shows its ports and a port clash in the detail panel', async () => {
    const { renderPage, initialState } = await import('../../src/tui/tasks-page.js');
    const web = { ...task('1', 'running', 'npm run dev'), persistent: true, ports: [5173] } as Task;
    const clash = { ...task('2', 'failed', 'npm run dev'), port_clash: 'port 5173 is held by task 1' } as Task;
    const state = { ...initialState(), selectedId: '1', detailOpen: true };
    const lines = renderPage([clash, web], state, 80, 24, { color: false }, '/nonexistent', NOW);
    expect(lines.some((l) => /^> 1\s+npm run dev\s+running\+/.test(l))).toBe(true);
    expect(lines).toContain('Persistent: yes: outlives its agent session, no default timeout');
    expect(lines).toContain('Ports: 5173 (http://localhost:5173)');
    const other = renderPage([clash, web], { ...state, selectedId: '2' }, 80, 24, { color: false }, '/nonexistent', NOW);
    expect(other).toContain('Port clash: port 5173 is held by task 1');
  });
});
