/**
 * Issue 26, item 9: small things that each misled someone. Real server, real
 * SDK client, the real CLI, tmux for the Tasks page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { CLI, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { Tmux } from '../helpers/tmux.js';

let s: TestServer;
let tmux: Tmux | null = null;
beforeAll(async () => {
  s = await startServer();
});
afterEach(() => {
  tmux?.kill();
  tmux = null;
});
afterAll(async () => {
  await s.close();
});

describe('task_output', () => {
  it('pages by since + max_bytes never cut a UTF-8 character', async () => {
    // One line of 2,000 "é" (2 bytes each): no line end to cut at, and 257 is odd.
    const r = await s.ok('bash', { command: `printf 'é%.0s' $(seq 2000); echo` });
    const id = r.structuredContent.task_id;
    let since = 0;
    let all = '';
    for (let i = 0; i < 100; i++) {
      const page = await s.ok('task_output', { task_id: id, since, max_bytes: 257 });
      all += page.structuredContent.output.replace(/\n\[… .* more: call task_output with since=\d+ to read on\]$/, '');
      if (page.structuredContent.cursor === since) break;
      since = page.structuredContent.cursor;
      if (!page.structuredContent.truncated) break;
    }
    expect(all).not.toContain('\uFFFD');
    expect(all.replace(/\n/g, '')).toBe('é'.repeat(2000));
    // A cursor the agent made up, in the middle of a character, does not show a broken one either.
    const odd = await s.ok('task_output', { task_id: id, since: 1, max_bytes: 300 });
    expect(odd.structuredContent.output).not.toContain('\uFFFD');
  });

  it('tail: 0 returns no lines', async () => {
    const r = await s.ok('bash', { command: 'seq 1 5' });
    const out = await s.ok('task_output', { task_id: r.structuredContent.task_id, tail: 0 });
    expect(out.structuredContent.output).toBe('');
    expect(text(out)).not.toMatch(/^[1-5]$/m);
  });
});

describe('timeout', () => {
  it('a timeout under a millisecond is refused, naming the unit, instead of rounding to 0', async () => {
    const r = await s.call('bash', { command: 'echo should-not-run', timeout: 1e-9 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/timeout is in seconds: at least 0\.001/);
    expect(text(r)).not.toContain('should-not-run');
  });

  it('a timeout the call gave is not reported as the default one', async () => {
    const r = await s.call('bash', { command: 'sleep 30', timeout: 0.3 });
    expect(text(r)).toMatch(/timed out after 300ms/);
    expect(text(r)).toContain('the timeout it was given');
    expect(text(r)).not.toContain('background.taskTimeout');
  });
});

describe('names and commands on a screen', () => {
  it('bgbash status prints a name or command with a newline on one line, no fake row, no control bytes', async () => {
    const r = await s.ok('bash', { command: "true # \n7   done     rm -rf ~\x07", name: 'x\n7   done     npm publish --force\x1b]0;pwned\x07' });
    const out = await bgbash(s.dataDir, ['status', r.structuredContent.task_id]);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(/^7 {3}done/m);
    expect(out.stdout).toMatch(/^Name: +x ⏎ 7 {3}done {5}npm publish --force$/m);
    expect(out.stdout).toMatch(/^Command: +true # +⏎ 7 {3}done {5}rm -rf ~$/m);
    expect(out.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('task_list text strips bidi controls, as bgbash list does', async () => {
    await s.ok('bash', { command: 'true', name: 'safe \u202Egnp.exe\u202C tail' });
    const r = await s.ok('task_list', { limit: 5 });
    expect(text(r)).toContain('safe gnp.exe tail');
    expect(text(r)).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('bgbash tasks lines columns up by display width: CJK takes two cells, zero-width characters none', async () => {
    const dataDir = tempDir();
    const t = await startServer({ dataDir });
    try {
      await t.ok('bash', { command: 'true', name: 'ascii row' });
      await t.ok('bash', { command: 'true', name: '测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试测试' });
      await t.ok('bash', { command: 'true', name: 'zero\u200b\u200b\u200b\u200bwidth' });
      tmux = new Tmux();
      tmux.start(`${process.execPath} ${CLI} tasks`, { env: { BGBASH_DATA_DIR: dataDir, NO_COLOR: '1', LANG: 'C.UTF-8' }, cols: 80, rows: 24 });
      const screen = await tmux.waitScreen((x) => x.includes('ascii row') && x.includes('zero'), 'the Tasks page');
      const rows = screen.split('\n').filter((l) => /done/.test(l));
      expect(rows).toHaveLength(3);
      // tmux gives a double-width character one character of the captured line and two cells: measure cells.
      const cells = (l: string): number => [...l.slice(0, l.indexOf('done'))].reduce((w, ch) => w + (/\p{Script=Han}/u.test(ch) ? 2 : /\u200b/.test(ch) ? 0 : 1), 0);
      expect(new Set(rows.map(cells)).size).toBe(1);
      // No row wrapped onto a second line.
      expect(screen.split('\n').filter((l) => l.includes('测试')).length).toBe(1);
    } finally {
      await t.close();
    }
  });
});
