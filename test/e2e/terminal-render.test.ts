/**
 * Issue 25: what the agent reads is what a terminal shows. Each pattern of an
 * everyday tool runs once in a real terminal (tmux, of the task's size) and
 * once through bgbash; the terminal's lines (capture-pane with its history,
 * wrapped lines joined) are the ground truth for what the agent reads through
 * a real MCP client: the foreground result, task_output's default read and
 * task_output from cursor 0. raw stays the bytes as written; a cursor read
 * after a redraw returns the redrawn lines, never the overwritten ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultText } from '../../src/tui/tasks-page.js';
import { bgbash } from '../helpers/cli.js';
import { readRecord, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { shellQuote, Tmux } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';

const COLS = 60;
const ROWS = 12;

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await startServer({ set: { 'terminal.cols': COLS, 'terminal.rows': ROWS } });
  dir = tempDir('bgbash-render-');
});
afterAll(async () => {
  await s.close();
});

/** Lines as compared: trailing spaces and trailing empty lines are not something either side shows. */
const lines = (text: string): string[] => {
  const l = text.split('\n').map((x) => x.replace(/ +$/, ''));
  while (l.length && l[l.length - 1] === '') l.pop();
  return l;
};

const long = Array.from({ length: 14 }, (_, i) => `word${i}`).join(' ');
/** Each pattern is a sh script: the same bytes go to tmux's terminal and to bgbash's. */
const patterns: Array<[string, string]> = [
  ['npm/npx spinner (ESC[1G ESC[0K after each frame)', `printf 'npm install\\n'; for f in '|' / - '\\\\' '|' /; do printf '\\033[1G\\033[0K%s' "$f"; done; printf '\\033[1G\\033[0Kadded 5 packages in 1s\\n'`],
  [
    'multi-line cursor-up redraw (docker build, pnpm, vitest)',
    `printf 'build\\nlayer 1: waiting\\nlayer 2: waiting\\n'
     printf '\\033[2A\\033[2Klayer 1: pulling 50%%\\n\\033[2Klayer 2: waiting\\n'
     printf '\\033[2A\\033[2Klayer 1: done\\n\\033[2Klayer 2: pulling\\n'
     printf '\\033[1A\\033[2Klayer 2: done\\n'; printf 'finished\\n'`,
  ],
  ['\\r progress bar', `for i in 10 50 90 100; do printf '\\rdownloading %3d%%' $i; done; printf '\\n'; echo next`],
  ['backspace spinner', `printf 'working |'; for f in / - '\\\\' '|'; do printf '\\b%s' "$f"; done; printf '\\b\\b done\\n'`],
  ['ESC[2K rewrite', `printf 'step 1 of 3'; printf '\\033[2K\\rstep 2 of 3'; printf '\\033[2K\\rall 3 steps\\n'`],
  ['colours', `printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m \\033[38;5;208morange\\033[0m\\n'`],
  [
    'a full-screen program on the alternate screen that exits',
    `printf 'before it\\n'; printf '\\033[?1049h\\033[H\\033[2J'; for r in 1 2 3 4 5; do printf '\\033[%d;3Hframe row %d' $r $r; done; printf '\\033[12;1Hstatus bar'; printf '\\033[?1049l'; printf 'after it\\n'`,
  ],
  ['a line longer than the terminal', `echo '${long}'; printf '%0150d\\n' 7; echo short`],
  ['wide characters', `printf '日本語のテキスト ok\\n'; printf '漢字かな\\r字\\n'; printf '%s\\n' '表示幅テスト表示幅テスト表示幅テスト表示幅テスト表示幅テスト表示幅テスト'`],
  ['tabs', `printf 'a\\tb\\tc\\n12345678\\tx\\n\\tindented\\n'`],
  ['cursor moves (CSI G C D and H) and erase in line', `printf 'abcdefgh\\033[3GX\\033[2CY\\033[1DZ\\033[0K\\n'; printf 'left\\033[1K\\rright\\n'`],
  ['scrolling past the screen, then a redraw at the bottom', `seq 1 30; printf '\\033[2A\\033[2K29 again\\n\\033[2K30 again\\n'`],
  ['erase in display below the cursor', `printf 'keep\\ngone 1\\ngone 2\\n\\033[2A\\r\\033[Jkept after\\n'`],
  ['clear screen, then more', `printf 'first screen\\n\\033[2J\\033[Hsecond screen\\n'`],
];

/** The terminal's lines for a script: tmux of the task's size, with the pane's whole history. */
async function groundTruth(script: string): Promise<string[]> {
  const done = path.join(dir, `done-${Math.random().toString(36).slice(2)}`);
  const t = new Tmux();
  try {
    t.start(`sh ${shellQuote(script)}; touch ${shellQuote(done)}`, { cols: COLS, rows: ROWS });
    await waitFor(() => fs.existsSync(done), 'the script to finish in tmux');
    return lines(t.everything());
  } finally {
    t.kill();
  }
}

describe('what the agent reads is what a terminal shows', () => {
  it.each(patterns)('%s', async (_name, body) => {
    const script = path.join(dir, `p-${Math.random().toString(36).slice(2)}.sh`);
    fs.writeFileSync(script, body + '\n');
    const truth = await groundTruth(script);
    const fg = await s.ok('bash', { command: `sh ${shellQuote(script)}` });
    expect(lines(fg.structuredContent.output)).toEqual(truth);
    const id = fg.structuredContent.task_id;
    const latest = await s.ok('task_output', { task_id: id });
    expect(lines(latest.structuredContent.output)).toEqual(truth);
    const all = await s.ok('task_output', { task_id: id, since: 0 });
    expect(lines(all.structuredContent.output)).toEqual(truth);
    // raw: the bytes as written, unchanged.
    const raw = await s.ok('task_output', { task_id: id, since: 0, raw: true });
    expect(raw.structuredContent.output).toBe(fs.readFileSync(path.join(s.dataDir, 'tasks', id, 'output.log'), 'utf8'));
  });
});

describe('the CLI and the Tasks page read the same', () => {
  it.each(patterns.slice(0, 2))('%s: bgbash result, bgbash output, the Result field', async (_name, body) => {
    const script = path.join(dir, `c-${Math.random().toString(36).slice(2)}.sh`);
    fs.writeFileSync(script, body + '\n');
    const truth = await groundTruth(script);
    const id = (await s.ok('bash', { command: `sh ${shellQuote(script)}` })).structuredContent.task_id;
    const result = await bgbash(s.dataDir, ['result', id]);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual(truth);
    const output = await bgbash(s.dataDir, ['output', id]);
    expect(lines(output.stdout)).toEqual(truth);
    // The Result field: the last five non-empty lines.
    expect(resultText(readRecord(s.dataDir, id), path.join(s.dataDir, 'tasks'))).toBe(truth.filter((l) => l.trim()).slice(-5).join('\n'));
  });
});

describe("a notice's last lines", () => {
  it('are the lines the terminal shows: no spinner frames, no overwritten redraw', async () => {
    const script = path.join(dir, 'notice.sh');
    fs.writeFileSync(script, patterns[0][1] + '\n' + patterns[1][1] + '\n');
    const truth = await groundTruth(script);
    const id = (await s.ok('bash', { command: `sh ${shellQuote(script)}`, background: true, name: 'redraws' })).structuredContent.task_id;
    const got = await waitFor(async () => {
      const r = await s.ok('task_list', { limit: 1 });
      return r.structuredContent.notices?.find((n: any) => n.task_id === id);
    }, 'the notice');
    const tail = got.text.split('\n').filter((l: string) => l.startsWith('  ')).map((l: string) => l.slice(2));
    expect(tail).toEqual(truth.filter((l) => l.trim()).slice(-tail.length));
    expect(tail.length).toBeGreaterThan(2);
    expect(got.text).not.toMatch(/waiting|\|\//);
  });
});

describe('cursors across a redraw', () => {
  it('a read from a cursor taken mid-redraw returns the redrawn lines, never the overwritten ones as current', async () => {
    const go = path.join(dir, 'go');
    const command = [
      `printf 'pulling\\nlayer 1: waiting\\nlayer 2: waiting\\n'`,
      `while [ ! -e ${shellQuote(go)} ]; do sleep 0.05; done`,
      `printf '\\033[2A\\033[2Klayer 1: done\\n\\033[2Klayer 2: done\\n'`,
      `echo finished`,
    ].join('; ');
    const started = await s.ok('bash', { command, background: true });
    const id = started.structuredContent.task_id;
    const first = await waitFor(async () => {
      const r = await s.ok('task_output', { task_id: id });
      return r.structuredContent.output.includes('layer 2: waiting') ? r : null;
    }, 'the first frame');
    expect(lines(first.structuredContent.output)).toEqual(['pulling', 'layer 1: waiting', 'layer 2: waiting']);
    const cursor = first.structuredContent.cursor;
    fs.writeFileSync(go, '');
    const next = await s.ok('task_output', { task_id: id, since: cursor, wait: 20, until: 'finished' });
    expect(next.structuredContent.state).not.toBe('failed');
    const after = await waitFor(async () => {
      const r = await s.ok('task_output', { task_id: id, since: cursor });
      return r.structuredContent.output.includes('finished') ? r : null;
    }, 'the redraw');
    // From the first line the redraw changed: nothing stale, nothing unchanged before it.
    expect(lines(after.structuredContent.output)).toEqual(['layer 1: done', 'layer 2: done', 'finished']);
    // A read from the new cursor: nothing new.
    const again = await s.ok('task_output', { task_id: id, since: after.structuredContent.cursor });
    expect(again.structuredContent.output).toBe('');
    // raw from the same cursor: the bytes, escapes and all.
    const raw = await s.ok('task_output', { task_id: id, since: cursor, raw: true });
    expect(raw.structuredContent.output).toBe('\x1b[2A\x1b[2Klayer 1: done\r\n\x1b[2Klayer 2: done\r\nfinished\r\n');
  });

  it('a spinner line read mid-way is re-sent whole once rewritten, not continued from its residue', async () => {
    const go = path.join(dir, 'go-spin');
    const command = `printf 'installing |'; while [ ! -e ${shellQuote(go)} ]; do sleep 0.05; done; printf '\\033[1G\\033[0Kadded 5 packages\\n'`;
    const id = (await s.ok('bash', { command, background: true })).structuredContent.task_id;
    const first = await waitFor(async () => {
      const r = await s.ok('task_output', { task_id: id });
      return r.structuredContent.output.includes('installing |') ? r : null;
    }, 'the spinner');
    fs.writeFileSync(go, '');
    const after = await waitFor(async () => {
      const r = await s.ok('task_output', { task_id: id, since: first.structuredContent.cursor });
      return r.structuredContent.output.includes('added') ? r : null;
    }, 'the final line');
    expect(lines(after.structuredContent.output)).toEqual(['added 5 packages']);
  });
});

describe('pipes (pty: false)', () => {
  it('keep their text and tabs; \\r and erase sequences render as on a terminal', async () => {
    const r = await s.ok('bash', {
      command: `printf 'col1\\tcol2\\n'; printf 'a%.0s' $(seq 1 100); echo; printf '10%%\\r50%%\\r100%%\\n'; printf 'x\\033[1G\\033[0Kdone\\n'; printf 'err\\rERR\\n' >&2`,
      pty: false,
    });
    expect(lines(r.structuredContent.output)).toEqual(['col1\tcol2', 'a'.repeat(100), '100%', 'done']);
    expect(r.structuredContent.stderr.replace(/\n$/, '')).toBe('ERR');
  });
});

describe('pages whose rendering is longer than their bytes', () => {
  it('forward reads give every line once, in order, each page within max_bytes (cursor moves render as spaces)', async () => {
    // Each line: ~12 bytes written, ~45 characters shown.
    const r = await s.ok('bash', { command: `for i in $(seq 1 2000); do printf '%d\\033[40Cb\\n' $i; done`, pty: false });
    const id = r.structuredContent.task_id;
    const seen: string[] = [];
    let cursor = 0;
    for (let page = 0; page < 500; page++) {
      const o = await s.ok('task_output', { task_id: id, since: cursor, max_bytes: 4096 });
      expect(Buffer.byteLength(o.structuredContent.output)).toBeLessThanOrEqual(4096 + 120);
      seen.push(...o.structuredContent.output.split('\n').filter((l: string) => /^\d+ +b$/.test(l)));
      cursor = o.structuredContent.cursor;
      if (!o.structuredContent.truncated) break;
    }
    expect(seen.map((l) => Number(l.split(' ')[0]))).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  });
});
