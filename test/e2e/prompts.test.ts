/** Agent prompts as background tasks: runner presets against a stand-in agent CLI, and MCP sampling. */
import fs from 'node:fs';
import path from 'node:path';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, readRecord, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** A bin dir where `claude` and `codex` are the stand-in agent. */
function fakeBin(): string {
  const bin = tempDir('bgbash-bin-');
  for (const name of ['claude', 'codex']) fs.symlinkSync(fixture('fake-agent.mjs'), path.join(bin, name));
  return bin;
}

const HOSTILE = [
  `it's "quoted" and $(touch /tmp/bgbash-pwned) and \`whoami\``,
  'line one\nline two\n\ttabbed; rm -rf ~ ; echo $HOME',
  'unicode ✓ ünïcödé — 中文 — emoji 🚀 and a backslash \\ at the end\\',
  '--output-format text',
];

describe('runner presets', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ clientName: 'agent-x', env: { PATH: `${fakeBin()}:${process.env.PATH}` } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('claude: Result is the answer, Tokens the usage it reports (input + output, both kept)', async () => {
    const r = await s.ok('bg_submit', { prompt: 'summarise the repo', runner: 'claude', name: 'summary' });
    const id = r.structuredContent.task_id;
    const st = await s.ok('task_status', { task_id: id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({
      kind: 'prompt',
      state: 'done',
      prompt: 'summarise the repo',
      result: 'answer to: summarise the repo',
      runner: 'claude',
      origin: 'agent-x',
      tokens: 18 + 7,
      usage: { input_tokens: 18, output_tokens: 7 },
    });
    expect(text(st)).toMatch(/Result: answer to: summarise the repo/);
    expect(text(st)).toMatch(/Tokens: 25 \(input 18, output 7\)/);
  });

  it.each(HOSTILE)('the prompt arrives byte for byte: %j', async (prompt) => {
    const r = await s.ok('bg_submit', { prompt, runner: 'claude' });
    const st = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
    expect(st.structuredContent.task.result).toBe(`answer to: ${prompt}`);
    expect(fs.existsSync('/tmp/bgbash-pwned')).toBe(false);
  });

  it('codex: the last agent_message of the JSONL events, usage from turn.completed', async () => {
    const r = await s.ok('bg_submit', { prompt: 'fix the test', runner: 'codex' });
    const st = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ state: 'done', result: 'answer to: fix the test', usage: { input_tokens: 12, output_tokens: 7 }, tokens: 19 });
  });

  it('the completion notice carries the result', async () => {
    const r = await s.ok('bg_submit', { prompt: 'what changed?', runner: 'claude' });
    const id = r.structuredContent.task_id;
    const got = await waitFor(async () => {
      const x = await s.ok('task_list', { limit: 1 });
      return x.structuredContent.notices?.find((n: any) => n.task_id === id);
    }, 'the notice');
    expect(got.text).toMatch(new RegExp(`^\\[Task #${id} completed\\] what changed\\? — exit code 0 \\((\\d+ms|\\d+\\.\\ds)\\)\\nResult: answer to: what changed\\?\\nMore: task_status`));
  });

  it('a runner that is not installed is a clear error at submit time', async () => {
    const r = await s.call('bg_submit', { prompt: 'hi', runner: 'gemini' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/runner "gemini" is not installed: "gemini" was not found on PATH/);
    const u = await s.call('bg_submit', { prompt: 'hi', runner: 'hal9000' });
    expect(text(u)).toMatch(/unknown runner "hal9000" \(configured or built in: claude, codex, opencode, gemini\)/);
    const none = await s.call('bg_submit', { prompt: 'hi' });
    expect(text(none)).toMatch(/no runner to run it/);
  });

  it('retry re-submits the prompt with the same origin and session', async () => {
    const r = await s.ok('bg_submit', { prompt: 'again', runner: 'claude', origin: 'telegram', session: 'chat-7' });
    await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
    const again = await s.ok('task_retry', { task_id: r.structuredContent.task_id });
    const st = await s.ok('task_status', { task_id: again.structuredContent.task_id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ kind: 'prompt', prompt: 'again', origin: 'telegram', session: 'chat-7', runner: 'claude', state: 'done', retry_of: r.structuredContent.task_id });
  });
});

describe('runner failures', () => {
  const modes: Array<[string, RegExp]> = [
    ['fail', /^runner "claude" exited with code 2: starting up \/ Error: the API key is not valid \/ see https:\/\/example\.invalid\/auth$/],
    ['garbage', /^runner "claude": the runner's output is not JSON: "<html>502 Bad Gateway<\/html>"$/],
    ['silent', /^runner "claude": the runner's output is not JSON: ""$/],
  ];
  it.each(modes)('mode %s → failed, with an error that says why', async (mode, error) => {
    const s = await startServer({ env: { PATH: `${fakeBin()}:${process.env.PATH}`, FAKE_AGENT_MODE: mode } });
    try {
      const r = await s.ok('bg_submit', { prompt: 'go', runner: 'claude' });
      const st = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
      expect(st.structuredContent.task.state).toBe('failed');
      expect(st.structuredContent.task.error).toMatch(error);
    } finally {
      await s.close();
    }
  });

  it('a slow runner obeys the timeout and cancel, like any task', async () => {
    const s = await startServer({ env: { PATH: `${fakeBin()}:${process.env.PATH}`, FAKE_AGENT_MODE: 'slow' }, set: { 'background.killGrace': '300ms' } });
    try {
      const t = await s.ok('bg_submit', { prompt: 'slow', runner: 'claude', timeout: 0.5 });
      const st = await s.ok('task_status', { task_id: t.structuredContent.task_id, wait: 10 });
      expect(st.structuredContent.task).toMatchObject({ state: 'failed', error: expect.stringMatching(/timed out after 500ms/) });
      const c = await s.ok('bg_submit', { prompt: 'slow', runner: 'claude' });
      await s.ok('task_cancel', { task_id: c.structuredContent.task_id });
      const cs = await s.ok('task_status', { task_id: c.structuredContent.task_id, wait: 5 });
      expect(cs.structuredContent.task.state).toBe('cancelled');
    } finally {
      await s.close();
    }
  });

  it('queues with shell tasks under background.maxConcurrentTasks', async () => {
    const s = await startServer({ env: { PATH: `${fakeBin()}:${process.env.PATH}`, FAKE_AGENT_DELAY_MS: '300' }, set: { 'background.maxConcurrentTasks': 1 } });
    try {
      await s.ok('bash', { command: 'sleep 0.3', background: true });
      const p = await s.ok('bg_submit', { prompt: 'queued', runner: 'claude' });
      expect(p.structuredContent.state).toBe('pending');
      const st = await s.ok('task_status', { task_id: p.structuredContent.task_id, wait: 10 });
      expect(st.structuredContent.task.state).toBe('done');
    } finally {
      await s.close();
    }
  });
});

describe('configured runners', () => {
  it('runners.<name> from the config file, with {prompt} and {cwd} in argv; background.defaultRunner picks it', async () => {
    const dir = tempDir();
    const cfg = path.join(dir, 'bgbash.config.json');
    fs.writeFileSync(cfg, JSON.stringify({ background: { defaultRunner: 'echoer' }, runners: { echoer: { command: ['printf', '%s in %s', '{prompt}', '{cwd}'], parse: 'text' } } }));
    const s = await startServer({ dataDir: dir, env: { BGBASH_CONFIG: cfg } });
    try {
      const r = await s.ok('bg_submit', { prompt: 'hello "world"', cwd: '/tmp' });
      const st = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
      expect(st.structuredContent.task).toMatchObject({ state: 'done', runner: 'echoer', result: 'hello "world" in /tmp', usage: { input_tokens: null, output_tokens: null } });
      expect(st.structuredContent.task.tokens).toBeGreaterThan(0);
      expect(readRecord(dir, r.structuredContent.task_id).result).toBe('hello "world" in /tmp');
    } finally {
      await s.close();
    }
  });
});

describe('MCP sampling path', () => {
  let s: TestServer;
  const asked: any[] = [];
  let hold: (() => void) | null = null;
  let aborted = false;
  beforeAll(async () => {
    s = await startServer({ clientName: 'sampler', capabilities: { sampling: {} } });
    s.client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
      asked.push(req.params);
      const text = (req.params.messages[0].content as any).text as string;
      if (text === 'wait forever') {
        await new Promise<void>((resolve) => {
          hold = resolve;
          extra.signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        });
      }
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `sampled: ${text}` }, stopReason: 'endTurn', usage: { input_tokens: 11, output_tokens: 3 } } as any;
    });
  });
  afterAll(async () => {
    hold?.();
    await s.close();
  });

  it('with no runner, the prompt goes to the client with sampling/createMessage; the reply is the Result', async () => {
    const r = await s.ok('bg_submit', { prompt: 'explain the bug' });
    const st = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ state: 'done', runner: 'sampling', result: 'sampled: explain the bug', origin: 'sampler', tokens: 14 });
    expect(asked[0].messages[0]).toMatchObject({ role: 'user', content: { type: 'text', text: 'explain the bug' } });
  });

  it('cancelling the task cancels the request', async () => {
    const r = await s.ok('bg_submit', { prompt: 'wait forever' });
    const id = r.structuredContent.task_id;
    await waitFor(() => asked.some((a) => a.messages[0].content.text === 'wait forever'), 'the request');
    await s.ok('task_cancel', { task_id: id });
    const st = await s.ok('task_status', { task_id: id, wait: 5 });
    expect(st.structuredContent.task.state).toBe('cancelled');
    await waitFor(() => aborted, 'the client to see the request cancelled');
  });
});
