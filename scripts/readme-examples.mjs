#!/usr/bin/env node
// Keeps the README's examples and the generated docs/ reference true: it runs
// every example against a real server (the built dist/, a temp data dir and
// working directory, the MCP SDK's stdio client, the real CLI) and compares
// what the program prints with the fenced block after each
// `<!-- example: NAME -->` marker in README.md and docs/*.md. The tool
// reference (docs/tools.md, from tools/list) and the CLI reference
// (docs/cli.md, from every command's --help) are generated between
// `<!-- generated: NAME -->` and `<!-- /generated -->`.
//
//   node scripts/readme-examples.mjs           check: exit 1 and show what drifted
//   node scripts/readme-examples.mjs --write   rewrite the blocks from this run
//
// Run `npm run build` first. Times, dates, server ids and column padding differ
// from run to run, so the check compares with those normalised; everything else
// must match character for character. Temp paths are shown as /home/me/app
// (the working directory) and /home/me/.local/state/bgbash (the data dir).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const FILES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const SHOWN_CWD = '/home/me/app';
const SHOWN_DATA = '/home/me/.local/state/bgbash';

const write = process.argv.includes('--write');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-readme-'));
const cwd = path.join(base, 'app');
const dataDir = path.join(base, 'data');
fs.mkdirSync(cwd);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, LANG: 'C.UTF-8', NO_COLOR: '1', BGBASH_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(base, 'config') };

function shown(text) {
  return text.split(dataDir).join(SHOWN_DATA).split(cwd).join(SHOWN_CWD).replace(/\s+$/, '');
}

/** What may differ between two runs of the same example. */
export function normalise(text) {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<date>')
    .replace(/\b\d\d:\d\d:\d\d\b/g, '<time>')
    .replace(/\b\d+m\d+s\b|\b\d+(?:\.\d+)?(?:ms|s)\b/g, '<t>')
    .replace(/\b[0-9a-f]{8}\b/g, '<id>')
    .replace(/\b\d+\.\d+\.\d+\b/g, '<version>')
    .replace(/\/dev\/pts\/\d+/g, '/dev/pts/<n>')
    .replace(/\bpid \d+/g, 'pid <n>')
    .replace(/[ \t]+/g, ' ')
    .replace(/ +$/gm, '');
}

function cli(args, extraEnv = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, cwd, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

async function until(what, check, ms = 20_000) {
  for (const deadline = Date.now() + ms; ; ) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ended(id) {
  await until(`task ${id} to end`, async () => {
    const r = await cli(['status', id, '--json']);
    return r.code !== 2 && ['done', 'failed', 'cancelled'].includes(JSON.parse(r.stdout || '{}').state);
  });
}

const call = (name, args) => `${name} ${JSON.stringify(args)}`;

async function examples(client) {
  const out = {};
  const tool = async (name, args) => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
    return { r, text: r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n') };
  };
  const show = async (key, name, args) => {
    const { r, text } = await tool(name, args);
    out[key] = `${call(name, args)}\n\n${text}`;
    return r;
  };

  await show('bash-foreground', 'bash', { command: 'echo "hello from bgbash" && echo "all good"' });
  const bg = await show('bash-background', 'bash', { command: 'sleep 1; echo built', background: true, name: 'build' });
  await show('task-status', 'task_status', { task_id: bg.structuredContent.task_id, wait: 10 });
  // 3 s, not 1: on a loaded machine the command's first lines must be out before the call returns.
  const y = await show('bash-yield', 'bash', { command: 'echo compiling; echo compiled 12 modules; sleep 600', name: 'watcher', yield_after: 3 });
  const u = await show('bash-until', 'bash', { command: 'echo starting; sleep 0.5; echo "Server ready on http://127.0.0.1:5173"; sleep 600', until: 'ready on', name: 'dev server' });

  // A task that ends while the agent is busy elsewhere: its notice comes in front of the next result.
  const t = await tool('bash', { command: 'sleep 0.5; echo "Test Files  4 passed (4)"; echo "     Tests  12 passed (12)"', background: true, name: 'unit tests' });
  // Its notice waits in the session's inbox once written.
  const inbox = path.join(dataDir, 'inbox', 'readme', `${t.r.structuredContent.task_id}.json`);
  await until('the notice', () => fs.existsSync(inbox));
  await show('notice', 'task_list', { state: 'running' });

  const big = await tool('bash', { command: 'seq -f "line %g of a long build log, padded to show the cap" 1 2000', background: true, name: 'build log' });
  await ended(big.r.structuredContent.task_id);
  await show('task-output-capped', 'task_output', { task_id: big.r.structuredContent.task_id, max_bytes: 256 });

  for (const r of [y, u]) await tool('task_cancel', { task_id: r.structuredContent.task_id });
  const list = await cli(['list']);
  out['cli-list'] = `$ bgbash list\n${list.stdout}`;
  const st = await cli(['status', bg.structuredContent.task_id]);
  out['cli-status'] = `$ bgbash status ${bg.structuredContent.task_id}\n${st.stdout}`;
  // No agent configs in this HOME, and only node's directory and the system's on PATH: the same lines on any machine.
  const doctor = await cli(['doctor'], { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` });
  out['doctor'] = `$ bgbash doctor\n${doctor.stdout}`;
  for (const [k, v] of Object.entries(out)) out[k] = shown(v);
  return out;
}

/**
 * docs/tools.md's reference: every tool's parameters with their types, limits
 * and defaults. From the server's own zod schemas (tools/list leaves out the
 * bounds the server enforces itself, to stay small), in tools/list's order.
 */
async function toolReference(client) {
  const { tools } = await client.listTools();
  const { TOOLS } = await import(path.join(ROOT, 'dist/mcp/server.js'));
  const { MAX_PATTERN_LENGTH } = await import(path.join(ROOT, 'dist/core/pattern.js'));
  const { z } = await import('zod');
  const defs = new Map(TOOLS.map((make) => make({})).map((d) => [d.name, d]));
  const rows = [];
  for (const t of tools) {
    const full = z.toJSONSchema(z.object(defs.get(t.name).input), { io: 'input', unrepresentable: 'any' });
    rows.push(`### \`${t.name}\``, '', t.description.split('\n')[0], '');
    const ann = t.annotations ?? {};
    rows.push(`Read-only: ${ann.readOnlyHint ? 'yes' : 'no'}. Destructive: ${ann.destructiveHint ? 'yes' : 'no'}.`, '');
    rows.push('| parameter | type | limits | default | what |', '|---|---|---|---|---|');
    const required = new Set(full.required ?? []);
    for (const [name, p] of Object.entries(full.properties ?? {})) {
      const lim = ['grep', 'until', 'notify_on'].includes(name) ? `RE2 regex, ≤ ${MAX_PATTERN_LENGTH.toLocaleString('en-US')} chars` : limits(p);
      rows.push(`| \`${name}\`${required.has(name) ? ' (required)' : ''} | ${typeOf(p)} | ${lim} | ${p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    rows.push('');
  }
  return rows.join('\n').trimEnd();
}

function typeOf(p) {
  if (p.enum) return p.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' or ');
  if (p.type === 'array') return `array of ${p.items ? typeOf(p.items) : 'any'}`;
  if (p.type === 'object') return 'object of strings';
  return p.type ?? 'any';
}

function limits(p) {
  const size = (n) => (n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : n.toLocaleString('en-US'));
  const parts = [];
  if (p.minimum !== undefined && !(p.minimum === 0 && p.type === 'integer')) parts.push(`≥ ${size(p.minimum)}`);
  if (p.exclusiveMinimum !== undefined) parts.push(`> ${p.exclusiveMinimum}`);
  if (p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${size(p.maximum)}`);
  if (p.minLength !== undefined && p.minLength > 1) parts.push(`≥ ${p.minLength} chars`);
  if (p.minLength === 1) parts.push('not empty');
  if (p.maxLength !== undefined) parts.push(`≤ ${size(p.maxLength)} chars`);
  if (p.maxItems !== undefined) parts.push(`≤ ${p.maxItems} items`);
  if (p.items?.maxLength !== undefined) parts.push(`each ≤ ${size(p.items.maxLength)} chars`);
  if (p.propertyNames?.maxLength !== undefined || p.maxProperties !== undefined) parts.push(...[p.maxProperties !== undefined ? `≤ ${p.maxProperties} entries` : '', p.propertyNames?.maxLength !== undefined ? `names ≤ ${p.propertyNames.maxLength} chars` : ''].filter(Boolean));
  if (p.anyOf) parts.push(...p.anyOf.map(limits).filter(Boolean));
  return parts.join(', ');
}

/** docs/cli.md's reference: `bgbash --help` and every command's --help, as printed. */
async function cliReference() {
  const top = (await cli(['--help'])).stdout;
  const names = [...top.matchAll(/^ {2}([a-z][a-z-]+) {2,}/gm)].map((m) => m[1]);
  const parts = ['```', `$ bgbash --help`, shown(top), '```'];
  for (const name of names) {
    const h = await cli([name, '--help']);
    parts.push('', `### bgbash ${name}`, '', '```', shown(h.stdout), '```');
  }
  return parts.join('\n');
}

function blocks(text, kind) {
  // A marker, then the fenced block (or generated span) it owns.
  const re = kind === 'example' ? /<!-- example: ([a-z0-9-]+) -->\n```[a-z]*\n([\s\S]*?)```/g : /<!-- generated: ([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/generated -->/g;
  return [...text.matchAll(re)].map((m) => ({ name: m[1], body: m[2].replace(/\n$/, ''), at: m.index, whole: m[0] }));
}

async function main() {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--data-dir', dataDir, '--session', 'readme'], env, cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d.toString()));
  const client = new Client({ name: 'example-agent', version: '1.0.0' });
  await client.connect(transport);
  let generated;
  try {
    // serve prints its start line once the CLI can reach it.
    await until('the server to start', () => /serving MCP on/.test(stderr));
    generated = { example: await examples(client), generated: { tools: await toolReference(client), cli: await cliReference() } };
  } finally {
    await client.close();
    fs.rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
  if (process.argv.includes('--print')) {
    for (const [kind, all] of Object.entries(generated)) for (const [name, text] of Object.entries(all)) process.stdout.write(`<!-- ${kind}: ${name} -->\n${text}\n\n`);
    return;
  }
  const drift = [];
  const used = new Set();
  for (const file of FILES) {
    const full = path.join(ROOT, file);
    let text = fs.readFileSync(full, 'utf8');
    let changed = text;
    for (const kind of ['example', 'generated']) {
      for (const b of blocks(text, kind)) {
        const now = generated[kind][b.name];
        used.add(`${kind}:${b.name}`);
        if (now === undefined) {
          drift.push(`${file}: unknown ${kind} "${b.name}"`);
          continue;
        }
        const same = kind === 'example' ? normalise(b.body) === normalise(now) : b.body === now;
        if (same) continue;
        drift.push(`${file}: ${kind} "${b.name}" drifted.\n--- in ${file}\n${b.body}\n+++ the program prints\n${now}\n`);
        const head = b.whole.slice(0, b.whole.indexOf('\n') + 1);
        const replacement = kind === 'example' ? `${head}${b.whole.slice(head.length).match(/^```[a-z]*\n/)[0]}${now}\n\`\`\`` : `${head}${now}\n<!-- /generated -->`;
        changed = changed.replace(b.whole, () => replacement);
      }
    }
    if (write && changed !== text) fs.writeFileSync(full, changed);
  }
  for (const kind of ['example', 'generated']) for (const name of Object.keys(generated[kind])) if (!used.has(`${kind}:${name}`)) drift.push(`no file shows ${kind} "${name}"`);
  if (drift.length && !write) {
    process.stderr.write(`${drift.join('\n')}\n${drift.length} example(s) drifted; \`node scripts/readme-examples.mjs --write\` rewrites them from this run.\n`);
    process.exit(1);
  }
  process.stdout.write(write ? `rewrote ${drift.length} block(s)\n` : 'every example matches what the program prints\n');
}

await main();
