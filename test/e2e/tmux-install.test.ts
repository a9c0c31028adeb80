/**
 * `bgbash install tmux` (issue 23): the lines it adds to the config tmux
 * reads, and a real tmux server started with that config (private socket,
 * -f), with a client attached inside a pane of another tmux (so capture-pane
 * shows what the client draws, popups included): prefix + T opens the Tasks
 * page in a popup, q closes it; the strip joins status-right without
 * replacing it. Then `--remove`.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackTmux } from '../helpers/leftovers.js';
import { baseEnv, CLI, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { Tmux } from '../helpers/tmux.js';

describe('bgbash install tmux', () => {
  let s: TestServer;
  let home: string;
  let env: Record<string, string>;
  let sock: string;
  let outer: Tmux | null = null;
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

  beforeAll(async () => {
    s = await startServer();
    home = tempDir('bgbash-home-');
    sock = path.join(home, 'tmux.sock');
    trackTmux(sock);
    env = baseEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), BGBASH_DATA_DIR: s.dataDir, TERM: 'xterm-256color' });
  });
  afterAll(async () => {
    outer?.kill();
    try {
      execFileSync('tmux', ['-S', sock, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* not running */
    }
    await s.close();
  });

  it('adds prefix + T and the strip to the config tmux reads, between markers, once; --dry-run prints the lines and writes nothing', async () => {
    const conf = path.join(home, '.tmux.conf');
    fs.writeFileSync(conf, "set -g status-right 'MINE'\n");
    const dry = await run(['install', 'tmux', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would add prefix \+ T \(the Tasks page in a popup, q closes it\) and the strip in status-right, refreshed every 2 s in .*\.tmux\.conf$/m);
    expect(dry.stdout).toContain(`bind-key T display-popup -E -w 90% -h 80% "node ${CLI} tasks"`);
    expect(fs.readFileSync(conf, 'utf8')).toBe("set -g status-right 'MINE'\n");
    expect((await run(['install', 'tmux'])).stdout).toMatch(/^added prefix \+ T .* in .*\.tmux\.conf\nLoad it in a running tmux with: tmux source-file .*\.tmux\.conf$/m);
    expect((await run(['install', 'tmux'])).stdout).toMatch(/^left the bgbash lines as they were \(already there\)/m);
    const text = fs.readFileSync(conf, 'utf8');
    expect(text.startsWith("set -g status-right 'MINE'\n\n# >>> bgbash >>>")).toBe(true);
    expect(text.match(/# >>> bgbash >>>/g)).toHaveLength(1);
    expect(text.trimEnd().endsWith('# <<< bgbash <<<')).toBe(true);
    const doctor = await run(['doctor']);
    expect(doctor.stdout).toMatch(/^✓ tmux: prefix \+ T opens the Tasks page; the strip joins status-right, every 2 s \(~\/\.tmux\.conf\)$/m);
  });

  it('in a tmux started with it, prefix + T opens the Tasks page in a popup and q closes it; the strip joins status-right, refreshed every 2 s', async () => {
    const task = (await s.ok('bash', { command: 'sleep 60', background: true, name: 'popup-check' })).structuredContent.task_id;
    const conf = path.join(home, '.tmux.conf');
    execFileSync('tmux', ['-S', sock, '-f', conf, 'new-session', '-d', '-s', 'main', '-x', '110', '-y', '30'], { env });
    const show = (opt: string): string => execFileSync('tmux', ['-S', sock, 'show', '-gv', opt], { env, encoding: 'utf8' }).trim();
    // Sourcing it again (as people do after editing) adds nothing twice.
    execFileSync('tmux', ['-S', sock, 'source-file', conf], { env });
    expect(show('status-right')).toBe(`MINE #(node ${CLI} strip --once)`);
    expect(show('status-interval')).toBe('2');
    // A client, attached inside a pane of another tmux: that pane shows what the client draws.
    outer = new Tmux();
    outer.start(`env -u TMUX tmux -S ${sock} attach -t main`, { cols: 120, rows: 34, env: { HOME: home, TERM: 'xterm-256color' } });
    await outer.waitScreen((sc) => /MINE/.test(sc), 'the client attached, with status-right');
    await outer.waitScreen((sc) => /Tasks: 1 running \| popup-check running/.test(sc), 'the strip in the status line');
    outer.keys('C-b', 'T');
    const page = await outer.waitScreen((sc) => sc.includes('Background Tasks') && sc.includes('popup-check'), 'the Tasks page in a popup');
    expect(page).toMatch(new RegExp(`${task}\\s+.*popup-check`));
    outer.keys('q');
    await outer.waitScreen((sc) => !sc.includes('Background Tasks') && /MINE/.test(sc), 'the popup closed by q');
    await s.ok('task_cancel', { task_id: task });
  }, 60_000);

  it('--remove takes the lines out and leaves the rest of the config', async () => {
    const conf = path.join(home, '.tmux.conf');
    const r = await run(['install', '--remove', 'tmux']);
    expect(r.stdout).toMatch(/^removed the bgbash lines \(prefix \+ T, the strip in status-right\) in .*\.tmux\.conf$/m);
    expect(fs.readFileSync(conf, 'utf8')).toBe("set -g status-right 'MINE'\n");
    expect((await run(['install', '--remove', 'tmux'])).stdout).toMatch(/^Nothing of bgbash's found for tmux\.$/m);
  });

  it('writes to $XDG_CONFIG_HOME/tmux/tmux.conf when that is the file tmux reads', async () => {
    const h = tempDir('bgbash-home-');
    const xdg = path.join(h, 'xdg');
    fs.mkdirSync(path.join(xdg, 'tmux'), { recursive: true });
    fs.writeFileSync(path.join(xdg, 'tmux', 'tmux.conf'), 'set -g mouse on\n');
    const r = await new Promise<string>((resolve) =>
      execFile(process.execPath, [CLI, 'install', 'tmux'], { env: baseEnv({ HOME: h, XDG_CONFIG_HOME: xdg }) }, (_e, stdout) => resolve(stdout)),
    );
    expect(r).toContain(`in ${path.join(xdg, 'tmux', 'tmux.conf')}`);
    expect(fs.existsSync(path.join(h, '.tmux.conf'))).toBe(false);
    expect(fs.readFileSync(path.join(xdg, 'tmux', 'tmux.conf'), 'utf8')).toMatch(/^set -g mouse on\n\n# >>> bgbash >>>/);
  });
});
