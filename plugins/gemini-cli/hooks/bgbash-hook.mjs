#!/usr/bin/env node
// bgbash's hook client: what an agent runs after every tool call, before every
// prompt and at every stop. It answers "is there anything for this session?"
// from the data dir alone (node: built-ins only, no dependencies) and exits at
// once when there is not; only when there is does it start the full bgbash CLI
// (`bgbash hook …`, which claims and formats the notices) and hand it the hook
// input. A hook that starts the whole CLI, or npx, costs 120-380 ms after every
// tool call (issue 23); this one costs about one Node start-up.
//
// Usage (the same arguments as `bgbash hook`):
//   node bgbash-hook.mjs hook <claude-code|gemini-cli|codex> [event] [--wake]
//
// This file is shipped three times, byte for byte: plugins/claude-code/hooks/
// (the package's copy, which `bgbash install` points at, and the Claude Code
// plugin's) and plugins/gemini-cli/hooks/ (the Gemini extension's).
// test/e2e/agent-screen.test.ts keeps the copies equal.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
if (argv[0] === 'hook') argv.shift();
const agent = argv[0];
const wake = argv.includes('--wake');

// Which events can carry notices, per agent (src/cli/commands/hook.ts has the same table).
const EVENTS = {
  'claude-code': ['UserPromptSubmit', 'PostToolUse', 'SessionStart', 'Stop', 'SubagentStop'],
  'gemini-cli': ['AfterTool', 'BeforeAgent', 'SessionStart'],
  codex: ['UserPromptSubmit', 'PostToolUse', 'SessionStart', 'Stop'],
};

const SESSION_RE = /^[A-Za-z0-9._-]{1,64}$/;
const isSession = (s) => typeof s === 'string' && SESSION_RE.test(s) && s !== '.' && s !== '..';

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The data dir, as the CLI finds it: BGBASH_DATA_DIR, else `dataDir` in the
 * user config, else $XDG_STATE_HOME/bgbash. null when a project config
 * (bgbash.config.json here, or BGBASH_CONFIG) names a dataDir, or cannot be
 * read as JSON: then the full CLI decides (trust rules and all).
 */
function dataDir() {
  const env = process.env;
  if (env.BGBASH_DATA_DIR) return path.resolve(env.BGBASH_DATA_DIR);
  for (const file of [env.BGBASH_CONFIG, path.join(process.cwd(), 'bgbash.config.json')]) {
    if (!file || !fs.existsSync(file)) continue;
    const project = readJson(file);
    if (!project || typeof project !== 'object' || 'dataDir' in project) return null;
  }
  const user = readJson(path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'bgbash', 'config.json'));
  if (user && typeof user.dataDir === 'string') return path.resolve(user.dataDir);
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'bgbash');
}

function stat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]), starttime: Number(rest[19]) };
  } catch {
    return null;
  }
}

function alive(info) {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  // A start time read from ps (process_table "ps": seconds, not /proc's ticks) cannot be compared here: the pid answers.
  if (typeof info.starttime !== 'number' || info.process_table === 'ps') return true;
  const s = stat(info.pid);
  return s === null ? !fs.existsSync('/proc/self/stat') : s.starttime === info.starttime && s.state !== 'Z';
}

function ancestry(pid) {
  const chain = [];
  for (let cur = pid, i = 0; i < 64 && cur > 1; i++) {
    chain.push(cur);
    const s = stat(cur);
    if (!s) break;
    cur = s.ppid;
  }
  return chain;
}

/** The live servers of this agent: those whose nearest common ancestor with this hook is nearest (src/cli/agent-match.ts). */
function ownServers(root) {
  let names = [];
  try {
    names = fs.readdirSync(path.join(root, 'servers'));
  } catch {
    return [];
  }
  const servers = [];
  for (const name of names) {
    if (!/^[0-9a-f]{8}\.json$/.test(name)) continue;
    const info = readJson(path.join(root, 'servers', name));
    if (!info || info.id !== name.slice(0, -5) || !Number.isSafeInteger(info.pid) || info.pid <= 0 || !alive(info)) continue;
    servers.push(info);
  }
  if (process.env.BGBASH_SESSION) return servers.filter((s) => (s.session ?? s.id) === process.env.BGBASH_SESSION);
  // No /proc (macOS): no ancestry here. Every live server passes; the CLI, which asks ps, narrows them to this agent's.
  if (!fs.existsSync('/proc/self/stat')) return servers;
  const mine = ancestry(process.ppid);
  let best = Infinity;
  let found = [];
  for (const s of servers) {
    const theirs = new Set(ancestry(s.pid));
    const d = mine.findIndex((p) => theirs.has(p));
    if (d < 0) continue;
    if (d < best) [best, found] = [d, [s]];
    else if (d === best) found.push(s);
  }
  return found;
}

/** Whether any notice waits in the inbox: of these sessions, or (sessions null) of any. */
function noticesWait(root, sessions) {
  const inbox = path.join(root, 'inbox');
  let dirs;
  try {
    dirs = sessions ?? fs.readdirSync(inbox);
  } catch {
    return false;
  }
  for (const d of dirs) {
    if (!isSession(d)) continue;
    try {
      if (fs.readdirSync(path.join(inbox, d)).some((n) => n.endsWith('.json'))) return true;
    } catch {
      /* no inbox for it */
    }
  }
  return false;
}

/**
 * Whether a task of these servers or sessions is pending or running, or ended
 * moments ago (its notice may still be on its way): what the wake hook waits
 * for. Read from the records on disk.
 */
function tasksLive(root, servers, sessions) {
  let ids;
  try {
    ids = fs.readdirSync(path.join(root, 'tasks'));
  } catch {
    return false;
  }
  const recent = Date.now() - 5000;
  for (const id of ids) {
    const r = readJson(path.join(root, 'tasks', id, 'record.json'));
    if (!r || !(servers.has(r.server) || sessions.has(r.session))) continue;
    if (r.state === 'pending' || r.state === 'running') return true;
    if (typeof r.ended_at === 'string' && Date.parse(r.ended_at) > recent) return true;
  }
  return false;
}

/** The full CLI: the package this file ships in, else npx (a plugin installed on its own). */
function fullCli() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const main = path.join(dir, 'dist', 'cli', 'main.js');
    if (fs.existsSync(main) && readJson(path.join(dir, 'package.json'))?.name === 'bgbash-mcp') return [process.execPath, [main]];
  }
  return ['npx', ['-y', 'bgbash-mcp']];
}

function delegate(input) {
  const [file, pre] = fullCli();
  const child = spawn(file, [...pre, 'hook', ...argv], { stdio: ['pipe', 'inherit', 'inherit'] });
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  // The agent ends a hook by signalling it (a timeout, a newer wake hook): pass it on.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', () => process.exit(0));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

// A PostToolUse payload carries the tool's whole output (megabytes at times) and arrives after every tool call:
// at most this much is kept; the rest is read and dropped (the agent's write never fails).
const MAX_INPUT = 1 << 20;

/** stdin's first MAX_INPUT bytes, and whether that is all of it. */
function readStdin() {
  if (process.stdin.isTTY) return Promise.resolve({ head: '', whole: true });
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    process.stdin.on('data', (c) => {
      if (size < MAX_INPUT) chunks.push(c.subarray(0, MAX_INPUT - size));
      size += c.length;
    });
    process.stdin.on('end', () => resolve({ head: Buffer.concat(chunks).toString('utf8'), whole: size <= MAX_INPUT }));
    process.stdin.on('error', () => resolve({ head: '', whole: true }));
  });
}

const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/y;
// A scalar counts only with text after it: one right at the cut may itself be cut (12 of 120).
const SCALAR = /(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?=[\s,}\]])/y;

/**
 * The top-level string, number, boolean and null fields of a JSON object, from the head of its text (a payload
 * cut at MAX_INPUT): hook_event_name, session_id, stop_hook_active... Nested values (tool_input, tool_response)
 * are stepped over; a value cut off ends the scan. null when the text is no JSON object; throws on a bad string.
 */
function headFields(text) {
  const fields = Object.create(null);
  let i = 0;
  const next = (re) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i = re.lastIndex;
    return m?.[0];
  };
  next(/\s*/y);
  if (text[i++] !== '{') return null;
  for (;;) {
    next(/[\s,]*/y);
    const key = next(STRING);
    if (key === undefined || next(/\s*:\s*/y) === undefined) return fields;
    if (text[i] === '{' || text[i] === '[') {
      for (let depth = 0; ; ) {
        next(/[^"{}[\]]*/y);
        if (next(STRING) !== undefined) continue;
        const c = text[i++];
        if (c === undefined || c === '"') return fields;
        if (c === '{' || c === '[') depth++;
        else if (--depth === 0) break;
      }
    } else {
      const value = next(STRING) ?? next(SCALAR);
      if (value === undefined) return fields;
      fields[JSON.parse(key)] = JSON.parse(value);
    }
  }
}

async function main() {
  const { head, whole } = await readStdin();
  if (!(agent in EVENTS)) return delegate(whole ? head : ''); // the CLI says what is wrong
  let hook = {};
  try {
    hook = !whole ? headFields(head) : head.trim() ? JSON.parse(head) : {};
  } catch {
    return; // a hook must never break the agent: bad input means nothing to say
  }
  if (hook === null) return; // cut, and no JSON object
  // What the CLI gets: the input as it came, or (cut) the fields found in its head, which are all it reads.
  const input = whole ? head : JSON.stringify(hook);
  const event = (hook && typeof hook.hook_event_name === 'string' ? hook.hook_event_name : argv.find((a, i) => i > 0 && !a.startsWith('--'))) ?? '';
  if (!wake && !EVENTS[agent].includes(event)) return;
  const root = dataDir();
  if (root === null) return delegate(input);
  const entry = process.env.CLAUDE_CODE_ENTRYPOINT;
  if (agent === 'claude-code' && wake) {
    // The wake hook waits while this session's tasks run: only where Claude stays open, and only when there is something to wait for.
    if (!['cli', 'sdk-ts', 'sdk-py', 'sdk-cli'].includes(entry)) return;
    const servers = ownServers(root);
    if (servers.length === 0) return;
    const sessions = new Set(process.env.BGBASH_SESSION ? [process.env.BGBASH_SESSION] : servers.map((s) => s.session ?? s.id));
    if (noticesWait(root, [...sessions]) || tasksLive(root, new Set(servers.map((s) => s.id)), sessions)) return delegate(input);
    return;
  }
  if (wake) return;
  // claude -p: the Stop hook keeps the session open while its tasks run (src/cli/hook-hold.ts).
  const printStop = agent === 'claude-code' && entry === 'sdk-cli' && (event === 'Stop' || event === 'SubagentStop');
  if (!printStop && !noticesWait(root, null)) return;
  const servers = ownServers(root);
  if (servers.length === 0 && !process.env.BGBASH_SESSION) return;
  const sessions = process.env.BGBASH_SESSION ? [process.env.BGBASH_SESSION] : [...new Set(servers.map((s) => s.session ?? s.id))];
  if ((printStop && servers.length > 0) || noticesWait(root, sessions)) return delegate(input);
}

main().catch(() => process.exit(0));
