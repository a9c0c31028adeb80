/**
 * Issue 27, promise 4: inside tmux with its default prefix (Ctrl+B), tmux
 * takes Ctrl+B before `bgbash attach` sees it. attach says so when it starts
 * there, and names the way out (press it twice; BGBASH_DETACH_KEY); with
 * another prefix, or another detach key, it says nothing of the kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { shellQuote, Tmux } from '../helpers/tmux.js';

let s: TestServer;
let dir: string;
let id: string;
beforeAll(async () => {
  dir = tempDir();
  s = await startServer({ dataDir: dir });
  // Prints nothing: the note stays on the first row, not scrolled away by output.
  id = (await s.ok('bash', { command: 'sleep 600', background: true, name: 'sleeper' })).structuredContent.task_id;
});
afterAll(async () => {
  await s?.close();
});

async function attachScreen(before: string, env: Record<string, string> = {}): Promise<string> {
  const tmux = new Tmux();
  try {
    const script = `${before}exec ${shellQuote(process.execPath)} ${shellQuote(CLI)} attach ${id}`;
    tmux.start(`sh -c ${shellQuote(script)}`, { env: { BGBASH_DATA_DIR: dir, ...env }, cols: 140, rows: 10 });
    return await tmux.waitScreen((x) => /#\d+ sleeper · running/.test(x) && / detach · /.test(x), 'the attach view');
  } finally {
    tmux.kill();
  }
}

describe('attach inside tmux', () => {
  it("with tmux's default prefix: says Ctrl+B is tmux's, press it twice, or BGBASH_DETACH_KEY", async () => {
    const screen = await attachScreen('');
    expect(screen.split('\n')[0]).toBe(' bgbash: tmux takes Ctrl+B (its prefix): press Ctrl+B twice to detach, or pick another key with BGBASH_DETACH_KEY=ctrl-g (attach.detachKey)');
    expect(screen).toContain('Ctrl+B Ctrl+B detach · Ctrl+] leave');
  });

  it('the footer names the keys to press: "Ctrl+B Ctrl+B detach"', async () => {
    const tmux = new Tmux();
    try {
      tmux.start(`${shellQuote(process.execPath)} ${shellQuote(CLI)} attach ${id}`, { env: { BGBASH_DATA_DIR: dir }, cols: 100, rows: 10 });
      await tmux.waitScreen((x) => x.includes('Ctrl+B Ctrl+B detach · Ctrl+] leave'), 'the keys in the footer');
    } finally {
      tmux.kill();
    }
  });

  it('with another tmux prefix: no note, Ctrl+B detaches', async () => {
    const screen = await attachScreen('tmux set -g prefix C-a && ');
    expect(screen).not.toContain('tmux takes');
    expect(screen).toMatch(/ Ctrl\+B detach · Ctrl\+] leave/);
  });

  it('with BGBASH_DETACH_KEY=ctrl-g: no note, Ctrl+G detaches', async () => {
    const screen = await attachScreen('', { BGBASH_DETACH_KEY: 'ctrl-g' });
    expect(screen).not.toContain('tmux takes');
    expect(screen).toMatch(/ Ctrl\+G detach · Ctrl\+] leave/);
  });
});
