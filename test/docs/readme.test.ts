/**
 * The README is a contract (issue 27): its examples are what the program
 * prints (scripts/readme-examples.mjs runs them against a real server), its CLI
 * table names the same commands and flags as every command's --help, its
 * links lead somewhere, and it stays short enough to read, with the reference
 * in docs/.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../src/config.js';
import { bgbash } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/server.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Flags named in a piece of text: --long and -s. */
function flags(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-[a-z])(?![\w-])/g)].map((m) => m[1]));
}

describe('README examples', () => {
  it('every example block is what the program prints today (scripts/readme-examples.mjs)', async () => {
    const r = await run(path.join(ROOT, 'scripts/readme-examples.mjs'), []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('every example matches');
  }, 120_000);
});

describe('the CLI table', () => {
  it('lists every command with exactly the flags its --help shows', async () => {
    const dir = tempDir();
    const top = await bgbash(dir, ['--help']);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]+) {2,}/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(10);
    const rows = new Map<string, string>();
    for (const m of README.matchAll(/^\| `bgbash ([a-z-]+)([^`]*)` \|/gm)) rows.set(m[1], m[2]);
    expect([...rows.keys()].sort()).toEqual([...commands].sort());
    for (const name of commands) {
      const help = await bgbash(dir, [name, '--help']);
      const own = help.stdout.split(/^Options:$/m)[1]?.split(/^Options for every command/m)[0] ?? '';
      // Each option line starts with "-s, --long" or "    --long".
      const declared = [...own.matchAll(/^ {2}(?:(-[a-z]), )? *(--[a-z][a-z-]*)/gm)].flatMap((m) => [m[1], m[2]].filter(Boolean));
      expect([...flags(rows.get(name)!)].sort(), `bgbash ${name}: README row vs --help`).toEqual([...new Set(declared)].sort());
    }
  }, 120_000);

  it('names the options every command takes', async () => {
    const top = await bgbash(tempDir(), ['--help']);
    const global = top.stdout.split(/^Options for every command:$/m)[1].split(/^Exit codes/m)[0];
    const table = README.slice(README.indexOf('| command | what it does |'));
    const after = table.slice(0, table.indexOf('\n\n', table.indexOf('`bgbash hook')) + 400);
    for (const f of flags(global)) expect(after, f).toContain(f);
  });
});

describe('promises the README makes', () => {
  it('where Ctrl+B is first mentioned, it names the other keys (tmux takes Ctrl+B)', () => {
    const first = README.split('\n\n').find((p) => p.includes('Ctrl+B'))!;
    expect(first).toContain('BGBASH_DETACH_KEY');
    expect(first).toContain('attach.detachKey');
  });

  it("the agent table names every file `bgbash install <agent>` writes, and no hooks where it writes none", async () => {
    const rowName: Record<string, string> = { 'claude-code': 'Claude Code', codex: 'Codex', 'gemini-cli': 'Gemini CLI', opencode: 'opencode', cursor: 'Cursor', vscode: 'VS Code' };
    const home = tempDir();
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    for (const [agent, name] of Object.entries(rowName)) {
      const r = await new Promise<{ stdout: string }>((resolve) =>
        execFile(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'install', agent, '--dry-run'], { cwd: project, env: { PATH: process.env.PATH ?? '', HOME: home } }, (_e, stdout) => resolve({ stdout })),
      );
      const files = [...r.stdout.matchAll(/ in (\S+)$/gm)].map((m) => path.basename(m[1]));
      expect(files.length, `${agent}: ${r.stdout}`).toBeGreaterThan(0);
      const row = README.split('\n').find((l) => l.startsWith(`| ${name} |`));
      expect(row, name).toBeTruthy();
      for (const f of files) expect(row, `${name} row names ${f}`).toContain(f);
      if (!/hook/i.test(r.stdout) && !/plugin/.test(r.stdout)) expect(row).toMatch(/only: there are no hooks/);
    }
  });
});

describe('shape', () => {
  it('under 450 lines, with Uninstall and Troubleshooting, the reference in docs/', () => {
    expect(README.split('\n').length).toBeLessThan(450);
    const heads = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(heads.slice(0, 4)).toEqual(['Try it from a clone', 'Add it to your agent', 'Your first background call', 'How notices arrive']);
    expect(heads).toContain('Uninstall');
    expect(heads).toContain('Troubleshooting');
    for (const page of ['tools', 'cli', 'configuration', 'notices', 'internals']) expect(README).toContain(`(docs/${page}.md`);
  });

  it('every relative link leads to a file, and every #anchor to a heading', () => {
    const slug = (h: string): string => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const anchors = (text: string): Set<string> => new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));
    const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1];
        if (/^[a-z]+:/.test(link)) continue;
        const [target, anchor] = link.split('#');
        const dest = target ? path.join(path.dirname(path.join(ROOT, file)), target) : path.join(ROOT, file);
        expect(fs.existsSync(dest), `${file}: ${link}`).toBe(true);
        if (anchor && dest.endsWith('.md')) expect(anchors(fs.readFileSync(dest, 'utf8')).has(anchor), `${file}: ${link}`).toBe(true);
      }
    }
  });
});

describe('docs/configuration.md', () => {
  it('names every config key the code accepts', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
    const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, any> };
    const keys: string[] = [];
    for (const [k, v] of Object.entries(schema.properties)) {
      if (v.type === 'object' && v.properties) for (const sub of Object.keys(v.properties)) keys.push(`${k}.${sub}`);
      else if (v.type === 'object') keys.push(`${k}.<name>`);
      else keys.push(k);
    }
    expect(keys.length).toBeGreaterThan(25);
    const shown = (key: string): boolean => {
      if (doc.includes(`\`${key}\``)) return true;
      // "terminal.cols / terminal.rows" style rows.
      return doc.includes(`\`${key}\` /`) || doc.includes(`/ \`${key}\``);
    };
    for (const key of keys) expect(shown(key), key).toBe(true);
  });
});
