/**
 * What `bgbash install` adds beyond the MCP entry (issue 23), on temp home
 * dirs: Claude Code's status line (set when there is none, left with
 * instructions when there is one), slash commands for opencode and Gemini
 * CLI, old npx hooks brought to the hook client, `bgbash doctor` showing each,
 * `--remove` taking out exactly what install wrote, and a config bgbash
 * cannot parse left alone with a message.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, ROOT, tempDir } from '../helpers/server.js';

interface World {
  home: string;
  project: string;
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

function world(): World {
  const home = tempDir('bgbash-home-');
  const project = tempDir('bgbash-proj-');
  const env = baseEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), CODEX_HOME: path.join(home, '.codex'), BGBASH_DATA_DIR: path.join(home, 'data') });
  return {
    home,
    project,
    run: (args) =>
      new Promise((resolve) =>
        execFile(process.execPath, [CLI, ...args], { cwd: project, env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
      ),
  };
}

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));
const doctorLine = (out: string, name: string): string => out.split('\n').find((l) => l.slice(2).startsWith(`${name}:`)) ?? `(no "${name}" line in:\n${out})`;

describe("Claude Code's status line", () => {
  it('is set to the strip when there is none, refreshed every 2 s; doctor shows it; --remove takes out only what install wrote', async () => {
    const w = world();
    const settings = path.join(w.project, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const mine = { type: 'command', command: 'my-own-hook' };
    fs.writeFileSync(settings, JSON.stringify({ model: 'opus', hooks: { PostToolUse: [{ matcher: 'Edit', hooks: [mine] }] } }));
    const r = await w.run(['install', 'claude-code']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^added statusLine \(the bgbash task strip in the footer, refreshed every 2 s\) in .*settings\.json$/m);
    const s = readJson(settings);
    expect(s.statusLine).toEqual({ type: 'command', command: `node ${CLI} strip --status-line`, refreshInterval: 2 });
    expect((await w.run(['install', 'claude-code'])).stdout).toMatch(/^left statusLine as it was \(the bgbash strip already\)/m);
    const doctor = await w.run(['doctor']);
    expect(doctorLine(doctor.stdout, 'Claude Code status line (project)')).toMatch(/^✓ .*: the task strip in Claude Code's footer \(.*settings\.json\)$/);
    const removed = await w.run(['install', '--remove', 'claude-code']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^removed mcpServers\.bgbash in .*\.mcp\.json$/m);
    expect(removed.stdout).toMatch(/^removed the bgbash hook from hooks\.PostToolUse, hooks\.UserPromptSubmit, hooks\.Stop in /m);
    expect(removed.stdout).toMatch(/^removed statusLine \(the bgbash strip\) in /m);
    // What was there before install is all that is left.
    expect(readJson(settings)).toEqual({ model: 'opus', hooks: { PostToolUse: [{ matcher: 'Edit', hooks: [mine] }] } });
    expect(readJson(path.join(w.project, '.mcp.json'))).toEqual({});
    expect((await w.run(['install', '--remove', 'claude-code'])).stdout).toMatch(/^Nothing of bgbash's found for claude-code\.$/m);
  });

  it("a hook of the user's own whose command has `hook claude-code` in it is not bgbash's: install adds its own beside it, doctor does not run it, --remove keeps it", async () => {
    const w = world();
    const settings = path.join(w.project, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const theirs = (c: string) => ({ hooks: [{ type: 'command', command: c }] });
    const before = { hooks: { PostToolUse: [theirs('/nowhere/my-notifier hook claude-code')], Stop: [theirs('node /nowhere/my-bgbash-notifier.js hook claude-code --wake')] } };
    fs.writeFileSync(settings, JSON.stringify(before));
    // --local: doctor runs this checkout's server (npx would need the registry).
    const r = await w.run(['install', 'claude-code', '--local']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^added the bgbash hook to hooks\.UserPromptSubmit, hooks\.PostToolUse, hooks\.Stop in /m);
    expect(r.stdout).toMatch(/^added the bgbash wake hook \(asyncRewake\) to hooks\.Stop in /m);
    expect(readJson(settings).hooks.PostToolUse[0]).toEqual(before.hooks.PostToolUse[0]);
    const doctor = await w.run(['doctor']);
    // ! only when claude itself is not on PATH; never ✗ over the user's hook (its file does not exist).
    expect(doctorLine(doctor.stdout, 'Claude Code (project)')).toMatch(/^[✓!] (?!.*nowhere)/);
    const removed = await w.run(['install', '--remove', 'claude-code']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(readJson(settings)).toEqual(before);
  });

  it("a status line of the user's own is kept, and install says how to add the strip to it", async () => {
    const w = world();
    const settings = path.join(w.home, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, JSON.stringify({ statusLine: { type: 'command', command: '~/.claude/statusline.sh' } }));
    const r = await w.run(['install', 'claude-code', '--user']);
    expect(r.stdout).toMatch(/^left statusLine as it was \(yours\); to show the bgbash strip in it too, add this line to your status line script: in .*settings\.json$/m);
    expect(r.stdout).toContain(`echo "$input" | node ${CLI} strip --status-line`);
    expect(readJson(settings).statusLine).toEqual({ type: 'command', command: '~/.claude/statusline.sh' });
    await w.run(['install', '--remove', 'claude-code', '--user']);
    expect(readJson(settings).statusLine).toEqual({ type: 'command', command: '~/.claude/statusline.sh' });
  });

  it("a status line of the user's own that runs the strip among other things is theirs: left as it is by install and --remove", async () => {
    const w = world();
    const settings = path.join(w.home, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const theirs = { type: 'command', command: `input=$(cat); echo "$input" | node ${CLI} strip --status-line; echo "$input" | ~/.claude/mine.sh` };
    fs.writeFileSync(settings, JSON.stringify({ statusLine: theirs }));
    expect((await w.run(['install', 'claude-code', '--user'])).stdout).toMatch(/^left statusLine as it was \(yours\)/m);
    const removed = await w.run(['install', '--remove', 'claude-code', '--user']);
    expect(removed.stdout).toMatch(/^left statusLine as it was \(not bgbash's\)/m);
    expect(readJson(settings)).toEqual({ statusLine: theirs });
  });

  it('hooks an earlier install wrote with npx are brought to the hook client; --dry-run says so and writes nothing', async () => {
    const w = world();
    const settings = path.join(w.project, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const old = (c: string) => ({ hooks: [{ type: 'command', command: c, timeout: 10 }] });
    const before = JSON.stringify({ hooks: { PostToolUse: [{ matcher: '*', ...old('npx -y bgbash-mcp hook claude-code') }], Stop: [old('npx -y bgbash-mcp hook claude-code'), old('npx -y bgbash-mcp hook claude-code --wake')] } });
    fs.writeFileSync(settings, before);
    const dry = await w.run(['install', 'claude-code', '--dry-run']);
    expect(dry.stdout).toMatch(/^would update the bgbash hook in hooks\.PostToolUse, hooks\.Stop \(now the hook client, no npx\) in /m);
    expect(fs.readFileSync(settings, 'utf8')).toBe(before);
    await w.run(['install', 'claude-code']);
    const hooks = readJson(settings).hooks;
    const client = path.join(ROOT, 'plugins/claude-code/hooks/bgbash-hook.mjs');
    expect(hooks.PostToolUse).toEqual([{ matcher: '*', ...old(`node ${client} hook claude-code`) }]);
    expect(hooks.Stop.map((g: any) => g.hooks[0].command)).toEqual([`node ${client} hook claude-code`, `node ${client} hook claude-code --wake`]);
    expect(hooks.UserPromptSubmit[0].hooks[0].command).toBe(`node ${client} hook claude-code`);
  });

  it('a settings file bgbash cannot parse is left alone, with a message naming it; exit 1', async () => {
    const w = world();
    const settings = path.join(w.project, '.claude/settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, '{ "statusLine": ');
    const r = await w.run(['install', 'claude-code']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^left it alone: .*settings\.json is not a JSON object \(.*\); fix it, or add bgbash by hand in .*settings\.json$/m);
    expect(fs.readFileSync(settings, 'utf8')).toBe('{ "statusLine": ');
    const removed = await w.run(['install', '--remove', 'claude-code']);
    expect(removed.code).toBe(1);
    expect(fs.readFileSync(settings, 'utf8')).toBe('{ "statusLine": ');
  });
});

describe('writing configs', () => {
  it('writes through a symlinked config to its target (the link stays), and keeps each file\'s mode; --remove too', async () => {
    const w = world();
    // ~/.claude/settings.json is a relative link into a dotfiles checkout, as stow makes it.
    const dotfiles = path.join(w.home, 'dotfiles/claude');
    fs.mkdirSync(dotfiles, { recursive: true });
    fs.writeFileSync(path.join(dotfiles, 'settings.json'), '{"model": "opus"}');
    fs.mkdirSync(path.join(w.home, '.claude'));
    const link = path.join(w.home, '.claude/settings.json');
    fs.symlinkSync('../dotfiles/claude/settings.json', link);
    const claudeJson = path.join(w.home, '.claude.json');
    fs.writeFileSync(claudeJson, '{"oauthAccount": {"id": "secret"}}', { mode: 0o600 });
    fs.chmodSync(claudeJson, 0o600);
    fs.chmodSync(path.join(dotfiles, 'settings.json'), 0o640);
    const r = await w.run(['install', 'claude-code', '--user']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('../dotfiles/claude/settings.json');
    expect(readJson(path.join(dotfiles, 'settings.json'))).toMatchObject({ model: 'opus', hooks: { Stop: expect.any(Array) } });
    expect(fs.statSync(path.join(dotfiles, 'settings.json')).mode & 0o777).toBe(0o640);
    expect(readJson(claudeJson)).toMatchObject({ oauthAccount: { id: 'secret' }, mcpServers: { bgbash: expect.any(Object) } });
    expect(fs.statSync(claudeJson).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(w.home).filter((f) => f.includes('bgbash.tmp'))).toEqual([]);
    await w.run(['install', '--remove', 'claude-code', '--user']);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readJson(link)).toEqual({ model: 'opus' });
    expect(fs.statSync(claudeJson).mode & 0o777).toBe(0o600);
    expect(readJson(claudeJson)).toEqual({ oauthAccount: { id: 'secret' } });
  });
});

describe('slash commands', () => {
  it('opencode /bgbash-tasks and Gemini /bgbash:tasks run this install\'s `bgbash list`; doctor lists them; --remove takes them out, not a file of the user\'s', async () => {
    const w = world();
    expect((await w.run(['install', 'opencode'])).stdout).toMatch(/^added the \/bgbash-tasks command \(bgbash list\) in .*\.opencode\/command\/bgbash-tasks\.md$/m);
    expect((await w.run(['install', 'gemini-cli'])).stdout).toMatch(/^added the \/bgbash:tasks command \(bgbash list\) in .*\.gemini\/commands\/bgbash\/tasks\.toml$/m);
    const oc = fs.readFileSync(path.join(w.project, '.opencode/command/bgbash-tasks.md'), 'utf8');
    expect(oc).toMatch(/^---\ndescription: .+\n---\n/);
    expect(oc).toContain(`!\`node ${CLI} list\``);
    const gm = fs.readFileSync(path.join(w.project, '.gemini/commands/bgbash/tasks.toml'), 'utf8');
    expect(gm).toContain(`!{node ${CLI} list}`);
    // The command each runs works, and says what a person needs.
    const list = await w.run(['list']);
    expect(list).toMatchObject({ code: 0, stdout: 'No tasks.\n' });
    expect(doctorLine((await w.run(['doctor'])).stdout, 'slash commands')).toMatch(/^✓ slash commands: opencode \/bgbash-tasks \(.*\), Gemini CLI \/bgbash:tasks \(.*\)$/);
    expect((await w.run(['install', 'opencode'])).stdout).toMatch(/^left the \/bgbash-tasks command as it was \(already there\)/m);
    fs.writeFileSync(path.join(w.project, '.gemini/commands/bgbash/tasks.toml'), 'prompt = "mine"\n');
    const removed = await w.run(['install', '--remove', 'gemini-cli']);
    expect(removed.stdout).toMatch(/^left the command as it was \(not written by bgbash\)/m);
    expect(fs.existsSync(path.join(w.project, '.gemini/commands/bgbash/tasks.toml'))).toBe(true);
    expect((await w.run(['install', '--remove', 'opencode'])).stdout).toMatch(/^removed the bgbash tasks command in /m);
    expect(fs.existsSync(path.join(w.project, '.opencode/command/bgbash-tasks.md'))).toBe(false);
    expect(fs.existsSync(path.join(w.project, '.opencode/plugins/bgbash.js'))).toBe(false);
  });

  it('the plugins ship the same commands: Claude Code /bgbash:tasks, Gemini extension /bgbash:tasks, opencode', () => {
    const claude = fs.readFileSync(path.join(ROOT, 'plugins/claude-code/commands/tasks.md'), 'utf8');
    expect(claude).toMatch(/^---\ndescription: .+\nallowed-tools: Bash\(npx -y bgbash-mcp list:\*\)\n---\n!`npx -y bgbash-mcp list`\n/);
    expect(fs.readFileSync(path.join(ROOT, 'plugins/gemini-cli/commands/bgbash/tasks.toml'), 'utf8')).toMatch(/^description = ".+"\nprompt = """\n!\{npx -y bgbash-mcp list\}\n/);
    expect(fs.readFileSync(path.join(ROOT, 'plugins/opencode/command/bgbash-tasks.md'), 'utf8')).toContain('!`npx -y bgbash-mcp list`');
    for (const f of ['claude-code/commands/tasks.md', 'opencode/command/bgbash-tasks.md']) expect(fs.readFileSync(path.join(ROOT, 'plugins', f), 'utf8')).toContain('Tasks page with `bgbash tasks`');
  });
});

describe('codex --remove', () => {
  it('takes out the block and hooks install wrote, and keeps the rest of config.toml', async () => {
    const w = world();
    const toml = path.join(w.home, '.codex/config.toml');
    fs.mkdirSync(path.dirname(toml), { recursive: true });
    fs.writeFileSync(toml, 'model = "o4"\n\n[mcp_servers.other]\ncommand = "y"\n');
    await w.run(['install', 'codex']);
    expect(fs.readFileSync(toml, 'utf8')).toContain('[mcp_servers.bgbash]');
    const r = await w.run(['install', '--remove', 'codex']);
    expect(r.stdout).toMatch(/^removed \[mcp_servers\.bgbash\] in /m);
    expect(fs.readFileSync(toml, 'utf8')).toBe('model = "o4"\n\n[mcp_servers.other]\ncommand = "y"\n');
    expect(readJson(path.join(w.home, '.codex/hooks.json'))).toEqual({});
  });

  it("keeps a comment and an indented table the user wrote after bgbash's block, byte for byte", async () => {
    const w = world();
    const toml = path.join(w.home, '.codex/config.toml');
    fs.mkdirSync(path.dirname(toml), { recursive: true });
    const before = 'model = "o4"   # mine\r\n\n\n\n[mcp_servers.other]\ncommand = "y"\n';
    fs.writeFileSync(toml, before);
    await w.run(['install', 'codex']);
    const after = '# docs server, see wiki\n  [mcp_servers.docs]\n  command = "docs"\n  args = ["--port", "9"]\n\n# the end\n';
    fs.appendFileSync(toml, after);
    const r = await w.run(['install', '--remove', 'codex']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^removed \[mcp_servers\.bgbash\] in /m);
    expect(fs.readFileSync(toml, 'utf8')).toBe(before + after);
  });

  it('leaves the file alone, exit 1, when taking out the block would change other settings', async () => {
    const w = world();
    const toml = path.join(w.home, '.codex/config.toml');
    fs.mkdirSync(path.dirname(toml), { recursive: true });
    await w.run(['install', 'codex']);
    // A key under bgbash's table after a blank line: dropping the header alone would move it to another table.
    fs.appendFileSync(toml, '\nenv = { A = "1" }\n');
    const text = fs.readFileSync(toml, 'utf8');
    const r = await w.run(['install', '--remove', 'codex']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^left it alone: \[mcp_servers\.bgbash\] has changed since bgbash wrote it .*; take it out by hand in .*config\.toml$/m);
    expect(fs.readFileSync(toml, 'utf8')).toBe(text);
  });
});
