/**
 * Screens leave no trace: a person's shell in a real terminal (tmux) runs the
 * Tasks page, attach or the strip while tasks run, and leaves with q, Ctrl+C
 * or Ctrl+]. Once the shell prints its next prompt (so bgbash has exited and
 * can draw nothing more), the screen must be exactly what it was before, plus
 * the command line and the new prompt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { Tmux } from '../helpers/tmux.js';

let srv: TestServer;
let ticker: string;
let term: Tmux | null = null;
const rows = (screen: string): string[] => {
  const l = screen.split('\n').map((x) => x.trimEnd());
  while (l.length && l[l.length - 1] === '') l.pop();
  return l;
};

beforeAll(async () => {
  srv = await startServer({ clientName: 'screens' });
  // Tasks that keep changing (output, counters) while the screens are open.
  ticker = (await srv.ok('bash', { command: 'while :; do echo tick; sleep 0.05; done', background: true, name: 'ticker' })).structuredContent.task_id;
  await srv.ok('bash', { command: 'sleep 120', background: true, name: 'sleeper' });
});
afterEach(() => {
  term?.kill();
  term = null;
});
afterAll(async () => {
  await srv.close();
});

/** A shell with some history on screen; returns the screen's rows. */
async function shell(cols = 80, height = 16): Promise<{ t: Tmux; before: string[] }> {
  const t = new Tmux();
  term = t;
  t.shell({ cols, rows: height, env: { BGBASH_DATA_DIR: srv.dataDir } });
  await t.waitScreen((s) => /^\$\s*$/m.test(s), 'the first prompt');
  t.type("clear; printf 'before %s\\n' 1 2 3");
  const screen = await t.waitScreen((s) => /before 3\n\$ ?\n/.test(s), 'the history');
  return { t, before: rows(screen) };
}

/**
 * Runs `command`, waits for `ready`, presses `keys`; returns the screen once the
 * shell has printed the exit status and its next prompt (bgbash has exited,
 * so it can draw nothing more), and how long leaving took.
 */
async function runAndLeave(t: Tmux, command: string, ready: (s: string) => boolean, keys: string[]): Promise<{ after: string[]; ms: number }> {
  t.type(`${command}; echo "[exit $?]"`);
  await t.waitScreen(ready, `${command} to draw`);
  const t0 = Date.now();
  t.keys(...keys);
  const screen = await t.waitScreen((s) => /\[exit \d+\]\n\$ ?\n/.test(s), 'the next prompt');
  return { after: rows(screen), ms: Date.now() - t0 };
}

const expected = (before: string[], command: string, code = 0): string[] => [...before.slice(0, -1), `$ ${command}; echo "[exit $?]"`, `[exit ${code}]`, '$'];

describe('the Tasks page', () => {
  it.each([['q'], ['C-c']])('after %s the shell is exactly as before', async (key) => {
    const { t, before } = await shell();
    const { after } = await runAndLeave(t, 'bgbash tasks', (s) => s.includes('Background Tasks') && s.includes('ticker'), [key]);
    expect(after).toEqual(expected(before, 'bgbash tasks'));
  });
});

describe('attach', () => {
  it('after Ctrl+] the shell is exactly as before, with no false "server went away"; it exits within 300 ms', async () => {
    // Baseline in the same terminal and load: a program that exits on its first key (bash's read).
    const base = await shell();
    const { ms: baseline } = await runAndLeave(base.t, "bash -c 'read -rsn1 -p ready'", (s) => s.includes('ready'), ['x']);
    base.t.kill();
    const { t, before } = await shell();
    const { after, ms } = await runAndLeave(t, `bgbash attach ${ticker}`, (s) => /tick\n/.test(s) && s.includes('Ctrl+] leave'), ['C-]']);
    expect(after).toEqual(expected(before, `bgbash attach ${ticker}`));
    expect(after.join('\n')).not.toMatch(/went away|server stopped/);
    // What attach adds to leaving, over a program that does nothing but exit.
    expect(ms - baseline).toBeLessThan(300);
  });

  it('says truthfully when the server stops, and still leaves no trace', async () => {
    const own = await startServer({ clientName: 'stopping' });
    try {
      const id = (await own.ok('bash', { command: 'sleep 60', background: true, name: 'orphaned' })).structuredContent.task_id;
      const t = new Tmux();
      term = t;
      t.shell({ cols: 80, rows: 16, env: { BGBASH_DATA_DIR: own.dataDir } });
      await t.waitScreen((s) => /^\$\s*$/m.test(s), 'the first prompt');
      t.type("clear; printf 'before %s\\n' 1 2 3");
      const before = rows(await t.waitScreen((s) => /before 3\n\$ ?\n/.test(s), 'the history'));
      t.type(`bgbash attach ${id}; echo "[exit $?]"`);
      await t.waitScreen((s) => s.includes('orphaned') && s.includes('Ctrl+] leave'), 'attach');
      await own.close();
      await t.waitScreen((s) => s.includes('the server stopped'), 'the footer to say the server stopped');
      t.keys('C-]');
      const after = rows(await t.waitScreen((s) => /\[exit \d+\]\n\$ ?\n/.test(s), 'the next prompt'));
      expect(after).toEqual(expected(before, `bgbash attach ${id}`));
    } finally {
      await own.close();
    }
  });
});

describe('the strip', () => {
  it.each([['q'], ['C-c']])('after %s the shell is exactly as before', async (key) => {
    const { t, before } = await shell();
    const { after } = await runAndLeave(t, 'bgbash strip', (s) => /Tasks: \d+ running/.test(s), [key]);
    expect(after).toEqual(expected(before, 'bgbash strip'));
  });

  it('redraws cleanly when the terminal narrows and widens: one strip line, no fragments', async () => {
    const { t, before } = await shell(100);
    t.type('bgbash strip; echo "[exit $?]"');
    await t.waitScreen((s) => /Tasks: \d+ running/.test(s), 'the strip');
    for (const cols of [60, 35, 90]) {
      t.resize(cols, 16);
      const screen = await t.waitScreen((s) => rows(s).length > 0 && /Tasks: \d+ running/.test(rows(s)[rows(s).length - 1]) && rows(s).every((r) => r.length <= cols), `the strip at ${cols} columns`);
      // Everything above the strip is the shell's own history (tmux may rewrap it when narrowing).
      const r = rows(screen);
      expect(r.filter((x) => /Tasks:|running|pending|ticker|sleeper/.test(x)), `at ${cols}`).toEqual([r[r.length - 1]]);
    }
    t.keys('q');
    const screen = await t.waitScreen((s) => /\[exit \d+\]\n\$ ?\n/.test(s), 'the next prompt');
    expect(rows(screen).slice(-2)).toEqual(['[exit 0]', '$']);
    // Narrowing pushes rows into tmux's scrollback; with it, and wrapped lines joined, the shell's history is intact.
    expect(rows(t.history())).toEqual(expected(before, 'bgbash strip'));
  });
});
