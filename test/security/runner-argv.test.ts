/**
 * #12 case 8: a prompt reaches the agent CLI as one positional value after
 * `--` (gemini: glued to --prompt=), so a prompt that looks like an option is
 * never one; placeholders inside the prompt are never expanded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { fixture, startServer, tempDir, type TestServer } from '../helpers/server.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let s: TestServer;
let log: string;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const name of ['claude', 'codex', 'opencode', 'gemini']) fs.symlinkSync(fixture('argv-recorder.mjs'), path.join(bin, name));
  log = path.join(dir, 'argv.log');
  const cfg = path.join(dir, 'bgbash.config.json');
  // The user's own config (BGBASH_CONFIG is theirs): a runner with placeholders inside a value.
  fs.writeFileSync(cfg, JSON.stringify({ runners: { echoer: { command: ['printf', '%s', 'in {cwd}: {prompt}'], parse: 'text' } } }));
  s = await startServer({ dataDir: path.join(dir, 'data'), env: { PATH: `${bin}:${process.env.PATH}`, ARGV_LOG: log, BGBASH_CONFIG: cfg } });
});
afterAll(async () => s.close());

async function runPrompt(prompt: string, runner: string): Promise<any> {
  const r = await s.ok('bg_submit', { prompt, runner, cwd: dir });
  return (await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 20 })).structuredContent.task;
}

function lastArgv(): { name: string; args: string[] } {
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

it.each(['claude', 'codex', 'opencode'])('%s: the prompt is the one value after "--"', async (runner) => {
  for (const prompt of ['--dangerously-skip-permissions', '-p', 'look in {cwd} and {prompt}']) {
    const task = await runPrompt(prompt, runner);
    expect(task.state).toBe('done');
    const { args } = lastArgv();
    expect(args.slice(-2)).toEqual(['--', prompt]);
    expect(args.indexOf('--')).toBe(args.length - 2);
  }
});

it('gemini: the prompt is glued to --prompt=, so it is a value whatever it starts with', async () => {
  for (const prompt of ['--yolo', 'look in {cwd}']) {
    const task = await runPrompt(prompt, 'gemini');
    expect(task.state).toBe('done');
    expect(lastArgv().args).toEqual([`--prompt=${prompt}`]);
  }
});

it('a configured runner: placeholders in the prompt stay text', async () => {
  const task = await runPrompt('see {cwd} and {prompt}', 'echoer');
  expect(task).toMatchObject({ state: 'done', result: `in ${dir}: see {cwd} and {prompt}` });
});
