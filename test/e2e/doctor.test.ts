/**
 * `bgbash doctor` as a person runs it: the built CLI in a project folder, with
 * its own HOME and data dir, against real servers and the configs
 * `bgbash install` writes (or a person broke).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, ROOT, startServer, tempDir, type TestServer } from '../helpers/server.js';

interface World {
  home: string;
  project: string;
  data: string;
  bin: string;
  env: Record<string, string>;
}

/** A HOME, a project, a data dir and a PATH holding only node (and npx) plus `bin/`, where a test puts agent executables. */
function world(): World {
  const root = tempDir('bgbash-doctor-');
  const [home, project, data, bin] = ['home', 'project', 'data', 'bin'].map((d) => path.join(root, d));
  for (const d of [home, project, bin]) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(data, { mode: 0o700 });
  const env = baseEnv({
    HOME: home,
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    BGBASH_DATA_DIR: data,
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  });
  return { home, project, data, bin, env };
}

/** An agent's executable on PATH (doctor only looks for it). */
function agentOnPath(w: World, name: string): void {
  fs.writeFileSync(path.join(w.bin, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}

function doctor(w: World, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'doctor', ...args], { cwd: w.project, env: w.env, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const install = (w: World, args: string[]): string => execFileSync(process.execPath, [CLI, 'install', ...args], { cwd: w.project, env: w.env, encoding: 'utf8' });
const line = (out: string, name: string): string => out.split('\n').find((l) => l.slice(2).startsWith(`${name}:`)) ?? `(no "${name}" line in:\n${out})`;

describe('bgbash doctor', () => {
  let good: World;
  let server: TestServer;
  beforeAll(async () => {
    good = world();
    server = await startServer({ dataDir: good.data, clientName: 'doctor-test' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a good setup: every line ✓ and exit 0; the agent configs start a working bgbash (npx and --local)', async () => {
    agentOnPath(good, 'claude');
    agentOnPath(good, 'cursor');
    install(good, ['claude-code', '--local']);
    // The documented config, `npx -y bgbash-mcp serve`: npx finds bgbash-mcp installed in HOME (offline).
    install(good, ['cursor']);
    fs.mkdirSync(path.join(good.home, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(good.home, 'node_modules', 'bgbash-mcp'));
    fs.symlinkSync(CLI, path.join(good.home, 'node_modules', '.bin', 'bgbash'));
    // npx runs the bin named like the package (bgbash-mcp has three: bgbash, bgbash-mcp, bgbash-hook).
    fs.symlinkSync(CLI, path.join(good.home, 'node_modules', '.bin', 'bgbash-mcp'));
    const r = await doctor(good);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.every((l) => l.startsWith('✓ ')), r.stdout).toBe(true);
    expect(line(r.stdout, 'node')).toMatch(/^✓ node: Node\.js \d+\.\d+\.\d+$/);
    expect(line(r.stdout, 'pty')).toMatch(/^✓ pty: @lydell\/node-pty \S+ .*runs commands under a terminal \(\/dev\/pts\/\d+\)$/);
    expect(line(r.stdout, 'data dir')).toBe(`✓ data dir: ${good.data} (yours, 0700)`);
    expect(line(r.stdout, 'servers')).toMatch(new RegExp(`^✓ servers: 1 running: [0-9a-f]{8} \\(pid ${server.pid}, doctor-test`));
    expect(line(r.stdout, 'Claude Code (project)')).toMatch(/^✓ Claude Code \(project\): .*\.mcp\.json starts `.*node.* .*dist\/cli\/main\.js serve` → bgbash \d+\.\d+\.\d+$/);
    expect(line(r.stdout, 'Cursor (project)')).toMatch(/^✓ Cursor \(project\): .*\.cursor\/mcp\.json starts `npx -y bgbash-mcp serve` → bgbash \d+\.\d+\.\d+$/);
    expect(line(r.stdout, 'other agents')).toBe('✓ other agents: not installed and not configured: opencode, Codex, Gemini CLI, VS Code');
  }, 180_000);

  it('a broken config, a missing agent, an agent without bgbash, a command that is not bgbash: ✗ and ! with fixes, exit 1', async () => {
    const w = world();
    // Broken: not JSON at all.
    fs.mkdirSync(path.join(w.project, '.cursor'));
    fs.writeFileSync(path.join(w.project, '.cursor', 'mcp.json'), '{"mcpServers": {"bgbash": ');
    // Broken: `bgbash serve`, but no bgbash on PATH.
    fs.mkdirSync(path.join(w.project, '.gemini'));
    fs.writeFileSync(path.join(w.project, '.gemini', 'settings.json'), JSON.stringify({ mcpServers: { bgbash: { command: 'bgbash', args: ['serve'] } } }));
    // Missing agent: configured (and working), but opencode is not installed.
    install(w, ['opencode', '--local']);
    // Installed, not configured.
    agentOnPath(w, 'codex');
    // Not bgbash's command: reported, never run.
    fs.writeFileSync(path.join(w.project, '.mcp.json'), JSON.stringify({ mcpServers: { bgbash: { command: 'sh', args: ['-c', 'touch pwned', 'serve'] } } }));
    const r = await doctor(w);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(line(r.stdout, 'Cursor (project)')).toMatch(/^✗ Cursor \(project\): .*\.cursor\/mcp\.json: it is not valid JSON: .* — fix: fix or remove that file, then bgbash install cursor --project$/);
    expect(line(r.stdout, 'Gemini CLI (project)')).toMatch(/^✗ Gemini CLI \(project\): .*settings\.json starts `bgbash serve`, but bgbash is not on PATH — fix: npm install -g bgbash-mcp/);
    expect(line(r.stdout, 'opencode (project)')).toMatch(/^! opencode \(project\): .*opencode\.json starts bgbash \d+\.\d+\.\d+, but opencode is not on PATH \(is opencode installed\?\)$/);
    expect(line(r.stdout, 'Codex')).toBe('! Codex: installed, but bgbash is not in its config — fix: bgbash install codex');
    expect(line(r.stdout, 'Claude Code (project)')).toMatch(/^! Claude Code \(project\): .*\.mcp\.json starts `sh -c "touch pwned" serve`, which is not bgbash's own command \(not run\)$/);
    expect(fs.existsSync(path.join(w.project, 'pwned'))).toBe(false);
    // No server has run in this data dir: said, not a failure.
    expect(line(r.stdout, 'data dir')).toBe(`✓ data dir: ${w.data} (yours, 0700)`);
    expect(line(r.stdout, 'servers')).toBe('✓ servers: none running (an agent starts one when it needs it)');

    const j = await doctor(w, ['--json']);
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; message: string; fix?: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.name).sort()).toEqual(['Cursor (project)', 'Gemini CLI (project)']);
    expect(report.checks.find((c) => c.name === 'Codex')).toEqual({ name: 'Codex', status: 'warn', message: 'installed, but bgbash is not in its config', fix: 'bgbash install codex' });
  }, 180_000);

  it('a data dir others can read, and a hook that cannot run: ✗ with the fix', async () => {
    const w = world();
    fs.chmodSync(w.data, 0o755);
    agentOnPath(w, 'claude');
    // The server runs (node + this CLI), but the hooks say `bgbash hook claude-code` and bgbash is not on PATH.
    install(w, ['claude-code', '--local']);
    const settings = path.join(w.project, '.claude', 'settings.json');
    const text = fs.readFileSync(settings, 'utf8');
    const cmd = /"command": "((?:[^"\\]|\\.)*?) hook claude-code/.exec(text)![1];
    fs.writeFileSync(settings, text.split(cmd).join('bgbash'));
    expect(fs.readFileSync(settings, 'utf8')).toContain('"bgbash hook claude-code"');
    const r = await doctor(w);
    expect(r.code).toBe(1);
    expect(line(r.stdout, 'data dir')).toBe(`✗ data dir: ${w.data} is mode 755 (others can reach your tasks) — fix: chmod 700 ${w.data}`);
    expect(line(r.stdout, 'Claude Code (project)')).toMatch(/^✗ Claude Code \(project\): .*: the server starts \(bgbash \d+\.\d+\.\d+\); its hooks run `bgbash hook claude-code`, but bgbash is not on PATH — fix: npm install -g bgbash-mcp/);
  }, 180_000);
});
