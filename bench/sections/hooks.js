// Hooks with nothing to deliver (issue 23): every hook command bgbash ships or
// `bgbash install` writes, run as the agent runs it (a shell, the hook's JSON
// on stdin), against a data dir with a live bgbash server of this "agent" and
// notices waiting for another session (so the client goes all the way: the
// inbox, the server registry, /proc ancestry). Baseline: `node -e 0` through
// the same shell, interleaved. Goal: each ≤ max(100 ms, 2.5 × node -e 0).
// The full CLI (`bgbash hook`, what the hooks ran before, minus npx) is shown
// beside it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bgbash, CLI, load1, median, now, QUICK, ROOT, round, TMP } from '../lib.js';

function timed(cmd, input, env) {
  const t0 = now();
  const r = spawnSync('sh', ['-c', cmd], { input, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const ms = now() - t0;
  if (r.status !== 0 || r.stdout.length > 0) throw new Error(`${cmd}: exit ${r.status}, stdout ${JSON.stringify(String(r.stdout).slice(0, 200))} ${String(r.stderr).slice(0, 200)}`);
  return ms;
}

export async function hooksBench() {
  const loadBefore = load1();
  const server = await bgbash();
  const data = server.dataDir;
  // Another session's notice: this agent's hook must look, and find nothing for it.
  fs.mkdirSync(path.join(data, 'inbox', 'someone-else'), { recursive: true });
  fs.writeFileSync(path.join(data, 'inbox', 'someone-else', 'n1.json'), '{}\n');
  // What `bgbash install` writes, read back from the files it wrote (a temp home).
  const home = fs.mkdtempSync(path.join(TMP, 'home-'));
  const installEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), CODEX_HOME: path.join(home, '.codex') };
  for (const agent of ['claude-code', 'codex']) execFileSync(process.execPath, [CLI, 'install', agent, '--user'], { env: installEnv, stdio: 'ignore' });
  const installedClaude = JSON.parse(fs.readFileSync(path.join(home, '.claude/settings.json'), 'utf8')).hooks.PostToolUse[0].hooks[0].command;
  const installedCodex = JSON.parse(fs.readFileSync(path.join(home, '.codex/hooks.json'), 'utf8')).hooks.PostToolUse[0].hooks[0].command;
  const pluginHooks = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugins/claude-code/hooks/hooks.json'), 'utf8')).hooks;
  const claudePlugin = pluginHooks.PostToolUse[0].hooks[0].command;
  const wake = pluginHooks.Stop[0].hooks.find((h) => h.asyncRewake).command;
  const gemini = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugins/gemini-cli/hooks/hooks.json'), 'utf8')).hooks.AfterTool[0].hooks[0].command.replace('${extensionPath}', path.join(ROOT, 'plugins/gemini-cli'));
  const env = { ...process.env, BGBASH_DATA_DIR: data, CLAUDE_PLUGIN_ROOT: path.join(ROOT, 'plugins/claude-code') };
  const post = JSON.stringify({ session_id: 'bench', hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/etc/hostname' }, tool_response: 'x'.repeat(2000) });
  const after = JSON.stringify({ session_id: 'bench', hook_event_name: 'AfterTool', tool_name: 'read_file' });
  const cases = [
    ['Claude Code plugin (PostToolUse)', claudePlugin, post],
    ['bgbash install claude-code (PostToolUse)', installedClaude, post],
    ['Gemini extension (AfterTool)', gemini, after],
    ['bgbash install codex (PostToolUse)', installedCodex, post],
    // The asyncRewake Stop hook in the interactive app (CLAUDE_CODE_ENTRYPOINT=cli), with nothing running.
    ['Claude Code plugin wake hook (Stop, idle)', `CLAUDE_CODE_ENTRYPOINT=cli ${wake}`, JSON.stringify({ session_id: 'bench', hook_event_name: 'Stop', stop_hook_active: false })],
  ];
  const node = [];
  const per = cases.map(() => []);
  const full = [];
  const n = QUICK ? 5 : 15;
  for (let i = 0; i < n; i++) {
    node.push(timed('node -e 0', '', env));
    cases.forEach(([, cmd, input], j) => per[j].push(timed(cmd, input, env)));
    full.push(timed(`"${process.execPath}" "${CLI}" hook claude-code`, post, env));
  }
  await server.client.close();
  const base = median(node);
  const limit = Math.max(100, 2.5 * base);
  const rows = cases.map(([name], j) => ({ name, ms: round(median(per[j]), 1), ratio: round(median(per[j]) / base) }));
  const worst = Math.max(...rows.map((r) => r.ms));
  return { node_ms: round(base, 1), limit_ms: round(limit, 1), hooks: rows, worst_ms: round(worst, 1), ratio: round(worst / base), full_cli_ms: round(median(full), 1), met: worst <= limit, load: [loadBefore, load1()], goal: '<= max(100 ms, 2.5x node -e 0)' };
}
