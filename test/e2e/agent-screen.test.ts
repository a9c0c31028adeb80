/**
 * bgbash in the agent's own screen (issue 23): the hook commands as
 * `bgbash install` writes them and as the plugins ship them, run through a
 * shell the way agents run them (the hook client: nothing, or the notices);
 * the strip as Claude Code's status line (that session's tasks, else the
 * project's live persistent ones, else nothing); install writing and
 * `--remove` taking out the status line, hooks and slash commands, and
 * leaving alone what it did not write or cannot parse.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, ROOT, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { runAsAgent, type Ran } from '../helpers/hook-shell.js';
import { waitFor } from '../helpers/wait.js';

/** A hook command line run as an agent runs it: `sh -c`, the hook's JSON on stdin. */
const sh = (command: string, input: string, env: Record<string, string>): Promise<Ran> => runAsAgent(command, input, baseEnv(env));

function install(home: string, cwd: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, 'install', ...args], { cwd, env: baseEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), CODEX_HOME: path.join(home, '.codex') }) }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));

async function endedTask(s: TestServer, command: string): Promise<string> {
  const id = (await s.ok('bg_submit', { command })).structuredContent.task_id;
  await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox')) && fs.readdirSync(path.join(s.dataDir, 'inbox')).some((d) => fs.existsSync(path.join(s.dataDir, 'inbox', d, `${id}.json`))), `the notice of task ${id}`);
  return id;
}

describe('hooks as installed and shipped: the hook client', () => {
  let s: TestServer;
  let home: string;
  beforeAll(async () => {
    s = await startServer();
    home = tempDir('bgbash-home-');
    for (const agent of ['claude-code', 'codex', 'gemini-cli']) expect((await install(home, home, [agent, '--user'])).code).toBe(0);
  });
  afterAll(async () => {
    await s.close();
  });

  const post = JSON.stringify({ session_id: 'c1', hook_event_name: 'PostToolUse', tool_name: 'Read', cwd: ROOT });

  it('every hook command bgbash writes or ships: nothing when nothing waits, the notice (once) when one does', async () => {
    const claude = readJson(path.join(home, '.claude/settings.json')).hooks;
    const codex = readJson(path.join(home, '.codex/hooks.json')).hooks;
    const gemini = readJson(path.join(home, '.gemini/settings.json')).hooks;
    const plugin = readJson(path.join(ROOT, 'plugins/claude-code/hooks/hooks.json')).hooks;
    const extension = readJson(path.join(ROOT, 'plugins/gemini-cli/hooks/hooks.json')).hooks;
    const env = { BGBASH_DATA_DIR: s.dataDir, CLAUDE_PLUGIN_ROOT: path.join(ROOT, 'plugins/claude-code') };
    const cases: Array<[string, string, string, (out: any) => string]> = [
      ['install claude-code PostToolUse', claude.PostToolUse[0].hooks[0].command, post, (o) => o.hookSpecificOutput.additionalContext],
      ['install codex Stop', codex.Stop[0].hooks[0].command, JSON.stringify({ session_id: 'x1', hook_event_name: 'Stop', stop_hook_active: false }), (o) => (o.decision === 'block' ? o.reason : '')],
      ['install gemini-cli AfterTool', gemini.AfterTool[0].hooks[0].command, JSON.stringify({ session_id: 'g1', hook_event_name: 'AfterTool' }), (o) => o.hookSpecificOutput.additionalContext],
      ['Claude Code plugin UserPromptSubmit', plugin.UserPromptSubmit[0].hooks[0].command, JSON.stringify({ session_id: 'c1', hook_event_name: 'UserPromptSubmit', prompt: 'hi' }), (o) => o.hookSpecificOutput.additionalContext],
      // Gemini substitutes ${extensionPath} before it runs the command.
      ['Gemini extension BeforeAgent', extension.BeforeAgent[0].hooks[0].command.replace('${extensionPath}', path.join(ROOT, 'plugins/gemini-cli')), JSON.stringify({ session_id: 'g1', hook_event_name: 'BeforeAgent' }), (o) => o.hookSpecificOutput.additionalContext],
    ];
    for (const [name, command, input, context] of cases) {
      expect(command, name).not.toMatch(/npx/);
      expect(await sh(command, input, env), `${name} with nothing waiting`).toEqual({ code: 0, stdout: '', stderr: '' });
      const id = await endedTask(s, `echo ${name.replace(/\W+/g, '-')}; exit 4`);
      const r = await sh(command, input, env);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(context(JSON.parse(r.stdout)), name).toContain(`[Task #${id} failed] echo ${name.replace(/\W+/g, "-")}; exit 4`);
      expect((await sh(command, input, env)).stdout, `${name}, again`).toBe('');
    }
  }, 120_000);

  it('the shipped copies of the hook client are one file; the package names it as a bin', () => {
    const a = fs.readFileSync(path.join(ROOT, 'plugins/claude-code/hooks/bgbash-hook.mjs'), 'utf8');
    expect(fs.readFileSync(path.join(ROOT, 'plugins/gemini-cli/hooks/bgbash-hook.mjs'), 'utf8')).toBe(a);
    expect(a).not.toMatch(/from '(?!node:)/);
    expect(readJson(path.join(ROOT, 'package.json')).bin['bgbash-hook']).toBe('plugins/claude-code/hooks/bgbash-hook.mjs');
  });

  it('a data dir named in a config file (BGBASH_CONFIG) is the one it reads', async () => {
    const command = readJson(path.join(home, '.claude/settings.json')).hooks.PostToolUse[0].hooks[0].command;
    const config = path.join(tempDir(), 'bgbash.json');
    fs.writeFileSync(config, JSON.stringify({ dataDir: s.dataDir }));
    const id = await endedTask(s, 'echo via-config');
    const r = await sh(command, post, { BGBASH_CONFIG: config });
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext, r.stderr).toContain(`[Task #${id} completed] echo via-config`);
  });

  it('never breaks the agent: bad input, other events, a data dir that is not there', async () => {
    const command = readJson(path.join(home, '.claude/settings.json')).hooks.PostToolUse[0].hooks[0].command;
    expect(await sh(command, 'not json', { BGBASH_DATA_DIR: s.dataDir })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await sh(command, '{"hook_event_name":"PreCompact"}', { BGBASH_DATA_DIR: s.dataDir })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await sh(command, post, { BGBASH_DATA_DIR: path.join(tempDir(), 'none') })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a PostToolUse payload of megabytes: the client reads up to 1 MiB and finds the event and session in its head; where nothing can be found there, and in the CLI: nothing, exit 0', async () => {
    const command = readJson(path.join(home, '.claude/settings.json')).hooks.PostToolUse[0].hooks[0].command;
    const output = 'a line of "tool output" \\ with {braces} and [brackets]\n'.repeat(80_000); // ~4.6 MB
    const big = JSON.stringify({ session_id: 'c1', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'cat log' }, tool_response: { stdout: output, stderr: '' } });
    expect(big.length).toBeGreaterThan(4 << 20);
    const env = { BGBASH_DATA_DIR: s.dataDir };
    expect(await sh(command, big, env)).toEqual({ code: 0, stdout: '', stderr: '' });
    const id = await endedTask(s, 'echo after-a-big-tool-call');
    const r = await sh(command, big, env);
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext, r.stderr).toContain(`[Task #${id} completed] echo after-a-big-tool-call`);
    // What lies past the first 1 MiB is never parsed: a payload whose end is not JSON still gets its notice.
    const next = await endedTask(s, 'echo tail-unread');
    const cut = await sh(command, `${big.slice(0, -10)} not json`, env);
    expect(JSON.parse(cut.stdout).hookSpecificOutput.additionalContext, cut.stderr).toContain(`[Task #${next} completed] echo tail-unread`);
    // The event name only after the cut, or no JSON object at all: nothing to say, and the notice stays for later.
    const late = await endedTask(s, 'echo still-waiting');
    expect(await sh(command, JSON.stringify({ tool_response: { stdout: output }, hook_event_name: 'PostToolUse' }), env)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await sh(command, `[${JSON.stringify(output)}]`, env)).toEqual({ code: 0, stdout: '', stderr: '' });
    // `bgbash hook` run directly (an old npx hook): a payload over 1 MiB is not parsed, nothing said.
    expect(await sh(`"${process.execPath}" "${CLI}" hook claude-code`, big, env)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse((await sh(command, post, env)).stdout).hookSpecificOutput.additionalContext).toContain(`[Task #${late} completed] echo still-waiting`);
  });
});

describe("the strip as Claude Code's status line", () => {
  let s: TestServer;
  let project: string;
  beforeAll(async () => {
    project = tempDir('bgbash-proj-');
    fs.mkdirSync(path.join(project, '.git'));
    s = await startServer({ cwd: project });
  });
  afterAll(async () => {
    await s.close();
  });

  const statusLine = (dir: string, env: Record<string, string> = {}): Promise<Ran> =>
    sh(`"${process.execPath}" "${CLI}" strip --status-line`, JSON.stringify({ session_id: 'claude-x', cwd: dir, workspace: { current_dir: dir, project_dir: dir }, model: { display_name: 'M' } }), { BGBASH_DATA_DIR: s.dataDir, ...env });

  it("this session's tasks; when it has none, the project's live persistent ones (another agent's dev server); nothing elsewhere", async () => {
    expect(await statusLine(project)).toEqual({ code: 0, stdout: '', stderr: '' });
    // Claude Code runs the status line as its child, like its bgbash server: the hook's way of finding it.
    const mine = (await s.ok('bash', { command: 'sleep 30', background: true, name: 'my tests' })).structuredContent.task_id;
    expect((await statusLine(tempDir())).stdout).toMatch(/^ Tasks: 1 running \| my tests running \d/);
    // Another agent's server runs a persistent dev server in the same project.
    const p = await startServer({ cwd: project, dataDir: s.dataDir, set: { session: 'other-agent' } });
    try {
      const dev = (await p.ok('bash', { command: 'sleep 60', background: true, name: 'devserver', persistent: true })).structuredContent.task_id;
      // A Claude session with no tasks of its own (BGBASH_SESSION names it): the project's live persistent tasks.
      const shown = await statusLine(project, { BGBASH_SESSION: 'fresh-claude' });
      expect(shown.stdout).toMatch(/^ Tasks: 1 running \(1 persistent\) \| devserver running \d/);
      expect(shown.stdout.split('\n')).toHaveLength(2);
      expect((await statusLine(path.join(project, '.git'), { BGBASH_SESSION: 'fresh-claude' })).stdout).toMatch(/devserver/);
      expect((await statusLine(tempDir(), { BGBASH_SESSION: 'fresh-claude' })).stdout).toBe('');
      expect((await statusLine(tempDir(), { BGBASH_SESSION: 'other-agent' })).stdout).toMatch(/devserver/);
      await p.ok('task_cancel', { task_id: dev });
      expect((await statusLine(project, { BGBASH_SESSION: 'fresh-claude' })).stdout).toBe('');
    } finally {
      await p.close();
    }
    await s.ok('task_cancel', { task_id: mine });
  }, 60_000);

  it('bad or missing input on stdin: nothing, exit 0', async () => {
    for (const input of ['', 'not json', '{"workspace": {"current_dir": 42}}', '[]']) {
      expect(await sh(`"${process.execPath}" "${CLI}" strip --status-line`, input, { BGBASH_DATA_DIR: tempDir() })).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });
});
