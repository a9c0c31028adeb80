/** The Tasks page and the task strip in a real terminal (tmux): send-keys, capture-pane. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, fixture, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { Tmux } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';

let s: TestServer;
let tmux: Tmux | null = null;
const open = (dataDir: string, cmd: string, cols: number, rows: number): Tmux => {
  tmux = new Tmux();
  tmux.start(`${process.execPath} ${CLI} ${cmd}`, { env: { BGBASH_DATA_DIR: dataDir, NO_COLOR: '1' }, cols, rows });
  return tmux;
};
const lines = (screen: string): string[] => screen.replace(/\n$/, '').split('\n');

beforeAll(async () => {
  s = await startServer({ clientName: 'tui-test' });
  await s.ok('bash', { command: 'echo built; exit 1', name: 'build' });
  await s.ok('bash', { command: 'echo ok', name: 'lint' });
  await s.ok('bash', { command: 'sleep 60', background: true, name: 'dev server' });
});
afterEach(() => {
  tmux?.kill();
  tmux = null;
});
afterAll(async () => {
  await s.close();
});

describe('Tasks page', () => {
  it('says "No active tasks" when there are none', async () => {
    const t = open(tempDir(), 'tasks', 80, 24);
    const screen = await t.waitScreen((x) => x.includes('No active tasks'), 'the empty page');
    const l = lines(screen);
    expect(l[0]).toMatch(/^Background Tasks\s*$/);
    expect(l[1]).toMatch(/^\s+ID\s+Prompt\s+Status\s+Elapsed\s*$/);
    expect(l[2]).toMatch(/^─{80}$/);
  });

  it('lists tasks newest first with ID / Prompt / Status / Elapsed, the selected row marked "> "', async () => {
    const t = open(s.dataDir, 'tasks', 80, 24);
    const screen = await t.waitScreen((x) => x.includes('dev server'), 'the page');
    const l = lines(screen);
    expect(l[3]).toMatch(/^> 3\s+dev server\s+running\s+\d/);
    expect(l[4]).toMatch(/^ {2}2\s+lint\s+done\s+\d+ms$/);
    expect(l[5]).toMatch(/^ {2}1\s+build\s+failed\s+\d+ms$/);
    expect(l[23]).toBe('enter details  ↑/k up  ↓/j down  esc back  c cancel  r retry  q quit');
  });

  it('hides Elapsed below 50 columns, and follows a resize', async () => {
    const t = open(s.dataDir, 'tasks', 49, 20);
    let screen = await t.waitScreen((x) => x.includes('dev server'), 'the page at 49 columns');
    expect(lines(screen)[1]).not.toContain('Elapsed');
    expect(lines(screen)[1]).toMatch(/Status\s*$/);
    t.resize(50, 20);
    screen = await t.waitScreen((x) => lines(x)[1].includes('Elapsed'), 'Elapsed at 50 columns');
    expect(lines(screen)[1]).toMatch(/Elapsed$/);
    expect(Math.max(...lines(screen).map((x) => x.length))).toBeLessThanOrEqual(50);
  });

  it('Enter opens the detail panel with every field; Esc closes it', async () => {
    const t = open(s.dataDir, 'tasks', 80, 24);
    await t.waitScreen((x) => x.includes('dev server'), 'the page');
    t.keys('j', 'j', 'Enter');
    const screen = await t.waitScreen((x) => x.includes('─── Task Detail ───'), 'the detail panel');
    const l = lines(screen);
    const at = l.indexOf('─── Task Detail ───');
    expect(l.slice(at + 1, at + 7)).toEqual(['Status: failed (' + l[at + 1].slice(16), 'Origin: tui-test', 'Tokens: 2', 'Prompt: echo built; exit 1', 'Result: built', 'Error: exited with code 1']);
    expect(l[at + 1]).toMatch(/^Status: failed \(\d+ms\)$/);
    t.keys('Escape');
    await t.waitScreen((x) => !x.includes('─── Task Detail ───'), 'the panel to close');
  });

  it.each([
    [14, 6, 8],
    [24, 10, 14],
    [40, 16, 24],
  ])('at height %i the table gets %i rows and the detail panel %i', async (height, table, detail) => {
    const t = open(s.dataDir, 'tasks', 80, height);
    await t.waitScreen((x) => x.includes('dev server'), 'the page');
    t.keys('Enter');
    const screen = await t.waitScreen((x) => x.includes('─── Task Detail ───'), 'the detail panel');
    const l = lines(screen);
    expect(l).toHaveLength(height);
    expect(l.indexOf('─── Task Detail ───')).toBe(table);
    expect(height - table).toBe(detail);
    expect(l[height - 1]).toMatch(/^enter details/);
    expect(l[3]).toMatch(/^> 3\s+dev server/);
  });

  it('c cancels the selected running task; "Cancelled: <id>" shows for about 3 seconds', async () => {
    const r = await s.ok('bash', { command: 'sleep 60', background: true, name: 'to cancel' });
    const id = r.structuredContent.task_id;
    const t = open(s.dataDir, 'tasks', 80, 20);
    await t.waitScreen((x) => x.includes('to cancel'), 'the page');
    t.keys('c');
    const shownAt = Date.now();
    await t.waitScreen((x) => lines(x)[0].endsWith(`Cancelled: ${id}`), 'the status message');
    const st = await s.ok('task_status', { task_id: id });
    expect(st.structuredContent.task.state).toBe('cancelled');
    // Recorded as what it was: a cancel from the Tasks page, not from `bgbash cancel`.
    expect(st.structuredContent.task.error).toBe('cancelled from the Tasks page (bgbash tasks)');
    expect(st.structuredContent.task.termination).toMatchObject({ reason: 'cancelled', by: 'tasks page' });
    await t.waitScreen((x) => new RegExp(`^> ${id}\\s+to cancel\\s+cancelled`, 'm').test(x), 'the row to update');
    await t.waitScreen((x) => !x.includes('Cancelled:'), 'the message to go', 6000);
    const gone = Date.now() - shownAt;
    expect(gone).toBeGreaterThan(2500);
    expect(gone).toBeLessThan(5000);
    // Cancelling it again is an error, shown the same way.
    t.keys('c');
    await t.waitScreen((x) => lines(x)[0].includes(`Error: task ${id} is cancelled`), 'the error message');
  });

  it('r retries the selected failed task: "Retried: <new id>" and the new task appears', async () => {
    const t = open(s.dataDir, 'tasks', 100, 24);
    await t.waitScreen((x) => x.includes('build'), 'the page');
    const rows = lines(t.screen());
    const buildRow = rows.findIndex((x) => /\bbuild\s+failed/.test(x));
    for (let i = 3; i < buildRow; i++) t.keys('j');
    await t.waitScreen((x) => /^> 1\s+build/m.test(x), 'build selected');
    t.keys('r');
    const screen = await t.waitScreen((x) => /Retried: \d+$/.test(lines(x)[0]), 'the retry message');
    const newId = /Retried: (\d+)$/.exec(lines(screen)[0])![1];
    await t.waitScreen((x) => new RegExp(`^ {2}${newId}\\s+build\\s+(running|failed)`, 'm').test(x), 'the new task row');
    const st = await s.ok('task_status', { task_id: newId, wait: 5 });
    expect(st.structuredContent.task).toMatchObject({ retry_of: '1', origin: 'tui-test' });
  });

  it('q quits and restores the terminal', async () => {
    const t = open(s.dataDir, 'tasks', 80, 20);
    await t.waitScreen((x) => x.includes('Background Tasks'), 'the page');
    t.keys('q');
    await t.waitScreen((x) => !x.includes('Background Tasks'), 'the page to close');
  });
});

describe('task strip', () => {
  it('is hidden when there are no tasks', async () => {
    const t = open(tempDir(), 'strip --once; echo END', 80, 5);
    const screen = await t.waitScreen((x) => x.includes('END'), 'the strip to print');
    expect(lines(screen)[0]).toBe('END');
  });

  it('shows running and pending counts and the latest task, live', async () => {
    const dir = tempDir();
    const srv = await startServer({ dataDir: dir, set: { 'background.maxConcurrentTasks': 1 } });
    try {
      const t = open(dir, 'strip', 80, 5);
      await srv.ok('bash', { command: 'sleep 30', background: true, name: 'first' });
      let screen = await t.waitScreen((x) => x.includes('Tasks: 1 running | first running'), 'one running');
      await srv.ok('bash', { command: fixture('counter.sh'), background: true, name: 'a very long task name that goes past thirty chars' });
      screen = await t.waitScreen((x) => x.includes('1 pending'), 'a pending task');
      expect(lines(screen)[0]).toMatch(/^ Tasks: 1 running {2}1 pending \| a very long task name that \.\.\. pending -$/);
      // Narrower: the seed's cut name or none (issue 27), then the latest task goes, at real widths.
      t.resize(60, 5);
      screen = await t.waitScreen((x) => lines(x)[0] === ' Tasks: 1 running  1 pending | pending -', 'the strip at 60 columns');
      t.resize(30, 5);
      screen = await t.waitScreen((x) => lines(x)[0] === ' Tasks: 1 running  1 pending', 'the strip at 30 columns');
      expect(screen).not.toContain('…');
    } finally {
      await srv.close();
    }
  });

  it('shows a pending task\'s elapsed as "-", the same as the Tasks page', async () => {
    const dir = tempDir();
    const srv = await startServer({ dataDir: dir, set: { 'background.maxConcurrentTasks': 1 } });
    try {
      await srv.ok('bash', { command: 'sleep 30', background: true, name: 'holder' });
      await srv.ok('bash', { command: 'true', background: true, name: 'waiter' });
      const page = open(dir, 'tasks', 80, 12);
      const screen = await page.waitScreen((x) => /^> 2\s+waiter/m.test(x), 'the page');
      expect(lines(screen)[3]).toMatch(/^> 2\s+waiter\s+pending\s+-$/);
      page.keys('q');
      await page.waitScreen((x) => !x.includes('Background Tasks'), 'the page to close');
      page.kill();
      const strip = open(dir, 'strip --once; echo END', 80, 5);
      const once = await strip.waitScreen((x) => x.includes('END'), 'the strip to print');
      expect(lines(once)[0]).toBe(' Tasks: 1 running  1 pending | waiter pending -');
    } finally {
      await srv.close();
    }
  });
});
