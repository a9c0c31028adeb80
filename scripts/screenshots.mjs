// `npm run screenshots`: the README's pictures, from the real screens.
// Starts a bgbash server in a temporary data dir, runs a few tasks with fixed
// names (through the MCP SDK's client, as an agent would), opens the Tasks
// page and the strip in a private tmux server at a fixed size, captures the
// panes with their colours (`capture-pane -e -p`) and renders them as SVG
// (scripts/ansi-svg.mjs) into docs/. No network, no browser. Elapsed times
// and clocks are whatever they are at capture; everything else is fixed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ansiToSvg } from './ansi-svg.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const DOCS = path.join(ROOT, 'docs');
const SOCKET = `bgbash-shots-${process.pid}`;

if (!fs.existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-shots-'));
const home = path.join(tmp, 'home');
const bin = path.join(tmp, 'bin');
const data = path.join(tmp, 'data');
// The detail panel shows the task's working directory: one fixed name, so pictures do not change with it.
const project = path.join(os.tmpdir(), 'bgbash-screenshots', 'my-app');
fs.rmSync(path.dirname(project), { recursive: true, force: true });
for (const d of [home, bin, project]) fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(path.join(bin, 'bgbash'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });

const env = {
  PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, '.config'),
  BGBASH_DATA_DIR: data,
  TERM: 'xterm-256color',
  COLORTERM: 'truecolor',
  FORCE_COLOR: '1',
  LANG: 'C.UTF-8',
  TZ: 'UTC',
};

const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { env, encoding: 'utf8' });

async function until(what, test, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await test();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens `command` in its own tmux session of cols×rows; returns a capture function. */
function open(name, command, cols, rows) {
  tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), command);
  tmux('set-option', '-t', name, 'status', 'off');
  tmux('resize-window', '-t', name, '-x', String(cols), '-y', String(rows));
  const plain = () => tmux('capture-pane', '-p', '-t', name);
  const colours = () => tmux('capture-pane', '-e', '-p', '-t', name);
  return { plain, colours, keys: (...k) => tmux('send-keys', '-t', name, ...k), cols, rows };
}

async function shoot(screen, file, title) {
  const svg = await ansiToSvg(screen.colours(), { cols: screen.cols, rows: screen.rows, title });
  fs.writeFileSync(path.join(DOCS, file), svg);
  console.log(`wrote docs/${file}`);
}

const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--data-dir', data, '--set', 'background.maxConcurrentTasks=2'], env, cwd: project, stderr: 'ignore' });
const client = new Client({ name: 'screenshots', version: '1' });
try {
  await client.connect(transport);
  const bash = (args) => client.callTool({ name: 'bash', arguments: args });
  // Ids 1–6, newest on top: three that ended, two running, one waiting for a slot.
  await bash({ command: 'echo "Test Files  12 passed (12)"; echo "     Tests  148 passed (148)"', name: 'npm test' });
  await bash({ command: 'echo "src/app.ts:12:5  error  \'user\' is never reassigned  prefer-const"; echo "1 problem (1 error)"; exit 1', name: 'npm run lint' });
  await bash({ command: 'echo "dist/app.js  41.2 kB"; echo "built in 1.3s"', name: 'npm run build' });
  await bash({ command: 'echo "Server ready on http://127.0.0.1:5173"; exec sleep 3600', name: 'dev server', background: true });
  await bash({ command: 'for i in $(seq 1 3600); do echo "spec $i passed"; sleep 1; done', name: 'e2e tests', background: true });
  await bash({ command: 'echo "building image"; sleep 3600', name: 'docker build', background: true });

  fs.mkdirSync(DOCS, { recursive: true });
  const page = open('tasks', `${process.execPath} ${CLI} tasks`, 100, 16);
  await until('the Tasks page', () => /docker build/.test(page.plain()) && /npm test/.test(page.plain()));
  // Let the running tasks' elapsed pass a few seconds, as on a real screen.
  await new Promise((r) => setTimeout(r, 3000));
  await shoot(page, 'tasks-page.svg', 'bgbash tasks');
  // Select the failed lint (four rows down) and open its detail panel.
  for (let i = 0; i < 4; i++) page.keys('Down');
  await until('the lint row to be selected', () => /^> 2 /m.test(page.plain()));
  page.keys('Enter');
  await until('the detail panel', () => /Task Detail/.test(page.plain()) && /prefer-const/.test(page.plain()));
  await shoot(page, 'tasks-detail.svg', 'bgbash tasks — detail');
  page.keys('q');

  const shell = open('strip', 'env -i PATH="$PATH" HOME="$HOME" TERM=xterm-256color BGBASH_DATA_DIR="$BGBASH_DATA_DIR" PS1="\\$ " bash --norc --noprofile', 100, 3);
  await until('the shell prompt', () => /^\$\s*$/m.test(shell.plain()));
  shell.keys('clear', 'Enter');
  await until('a clear screen', () => shell.plain().trim() === '$');
  shell.keys('bgbash strip', 'Enter');
  await until('the strip', () => / Tasks: 2 running {2}1 pending \| docker build pending -/.test(shell.plain()));
  await shoot(shell, 'strip.svg', 'bgbash strip');
  shell.keys('q');
} finally {
  try {
    tmux('kill-server');
  } catch {
    /* already gone */
  }
  await client.close().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(path.dirname(project), { recursive: true, force: true });
}
