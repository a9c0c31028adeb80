/**
 * deliver_to targets for people: Slack, Discord, Telegram and ntfy, each
 * against a local server playing the service's endpoint, through the built
 * server (MCP over stdio) and the CLI. Checks the shape each service
 * documents, retries (429 with Retry-After, 500, a closed port), that a
 * failure blocks nothing, and that no secret reaches records, CLI output or
 * the server's stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { closedPort, startFakeServices, type FakeServices, type Received } from '../helpers/fake-services.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = '4242:telegramSECRETtok';
const SLACK_PATH = '/services/T0/B0/slackSECRETxyz123';
const DISCORD_PATH = '/api/webhooks/4242/discordSECRETabc';
const NTFY_PATH = '/bgbash-ntfySECRET-topic';
const SECRETS = ['slackSECRET', 'discordSECRET', 'telegramSECRET', 'ntfySECRET'];

let fake: FakeServices;
let s: TestServer;
let deadPort = 0;
const slack = (p = SLACK_PATH): string => `slack:${fake.url}${p}`;
const discord = (p = DISCORD_PATH): string => `discord:${fake.url}${p}`;
const ntfy = (p = NTFY_PATH): string => `ntfy:${fake.url}${p}`;

beforeAll(async () => {
  fake = await startFakeServices();
  deadPort = await closedPort();
  s = await startServer({ env: { BGBASH_TELEGRAM_TOKEN: TOKEN }, set: { 'telegram.apiBase': fake.url } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

async function submit(command: string, deliver_to: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const r = await s.ok('bg_submit', { command, deliver_to, ...extra });
  return r.structuredContent.task_id;
}

async function deliveries(id: string, n: number): Promise<any[]> {
  return waitFor(async () => {
    const t = (await s.ok('task_status', { task_id: id })).structuredContent.task;
    return t.deliveries?.length >= n ? t.deliveries : null;
  }, `${n} deliveries of task ${id}`, 20_000);
}

function one(list: Received[], marker: string): Received | undefined {
  return list.find((r) => r.body.includes(marker));
}

describe('each service gets the shape it documents', () => {
  it('slack: a JSON {"text"} POST, task line in bold, last lines in a code block, mrkdwn escaped', async () => {
    const id = await submit(`echo first-line; echo 'a <b> & c'; echo slack-last-line`, [slack()], { name: 'slack check' });
    const req = await waitFor(() => one(fake.to('/services/'), `Task #${id} `), 'the Slack request');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body);
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toMatch(new RegExp(`^\\*✅ Task #${id} completed:\\* slack check\\n`));
    expect(body.text).toContain(`exit code 0 · `);
    expect(body.text).toContain(`on ${os.hostname()}`);
    expect(body.text).toMatch(/```\n[\s\S]*a &lt;b&gt; &amp; c\nslack-last-line\n```$/);
    expect((await deliveries(id, 1))[0]).toMatchObject({ ok: true, attempts: 1, error: null });
  });

  it('discord: a JSON {"content"} POST within 2,000 characters, mentions off, the end of long output kept', async () => {
    const id = await submit(`for i in $(seq 1 200); do echo "line $i @everyone padding padding padding padding"; done; echo discord-last-line`, [discord()]);
    const req = await waitFor(() => one(fake.to('/api/webhooks/'), `Task #${id} `), 'the Discord request');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body);
    expect(Object.keys(body).sort()).toEqual(['allowed_mentions', 'content']);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect([...body.content].length).toBeLessThanOrEqual(2000);
    expect(body.content).toMatch(new RegExp(`^\\*\\*✅ Task #${id} completed:\\*\\*`));
    expect(body.content).toMatch(/discord-last-line\n```$/);
    expect(body.content).not.toContain('line 1 @everyone');
    expect((await deliveries(id, 1))[0]).toMatchObject({ ok: true, attempts: 1 });
  });

  it('telegram: sendMessage at <apiBase>/bot<token>/ with chat_id, HTML text and parse_mode', async () => {
    const id = await submit(`echo '<script>alert(1)</script> & more'; exit 3`, ['telegram:-1001234567890']);
    const req = await waitFor(() => one(fake.to('/bot'), `Task #${id} `), 'the Telegram request');
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ chat_id: '-1001234567890', parse_mode: 'HTML' });
    expect(body.text).toMatch(new RegExp(`^<b>❌ Task #${id} failed:</b> `));
    expect(body.text).toContain('exit code 3 · ');
    expect(body.text).toContain('<pre>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</pre>');
    expect((await deliveries(id, 1))[0]).toMatchObject({ target: 'telegram:-1001234567890', ok: true });
  });

  it('ntfy: a plain-text POST with Title, Priority (high when failed) and Tags; under 4,096 bytes; UTF-8 title encoded', async () => {
    const id = await submit(`for i in $(seq 1 400); do echo "ntfy line $i ünïcödé padding padding"; done; exit 1`, [ntfy()], { name: 'Größe prüfen ✓' });
    const req = await waitFor(() => fake.to(NTFY_PATH).find((r) => r.body.includes('ntfy line 400')), 'the ntfy request');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toMatch(/^text\/plain/);
    expect(req.headers.priority).toBe('high');
    expect(String(req.headers.tags).split(',')).toContain('x');
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(String(req.headers.title));
    expect(m, `title header ${req.headers.title}`).not.toBeNull();
    expect(Buffer.from(m![1], 'base64').toString('utf8')).toBe(`Task #${id} failed: Größe prüfen ✓`);
    expect(Buffer.byteLength(req.body)).toBeLessThanOrEqual(4096);
    expect(req.body).toMatch(/^exit code 1 · /);
    expect(req.body).not.toContain('ntfy line 1 ');
    expect((await deliveries(id, 1))[0]).toMatchObject({ ok: true });
  });
});

describe('retries, failures and secrets', () => {
  it('honours Retry-After on a 429, gives up on a 500 after 3 tries, records a closed port; none blocks the others or the task', async () => {
    const slow = '/services/T0/B0/slackSECRETrate';
    fake.queue(slow, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const broken = '/api/webhooks/1/discordSECRETbroken';
    fake.queue(broken, ...Array.from({ length: 3 }, () => ({ status: 500, body: 'oops' })));
    const dead = `ntfy:http://127.0.0.1:${deadPort}/ntfySECRETdead`;
    const id = await submit('echo many targets', [slack(slow), discord(broken), dead, ntfy()]);
    const list = await deliveries(id, 4);
    const st = (await s.ok('task_status', { task_id: id })).structuredContent.task;
    expect(st.state).toBe('done');
    const by = (prefix: string): any => list.find((d) => d.target.startsWith(prefix));
    expect(by('slack:')).toMatchObject({ ok: true, attempts: 2 });
    const tries = fake.to(slow);
    expect(tries).toHaveLength(2);
    // Retry-After: 1 means at least a second between the two tries.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    expect(by('discord:')).toMatchObject({ ok: false, attempts: 3, error: expect.stringMatching(/^HTTP 500/) });
    expect(fake.to(broken)).toHaveLength(3);
    expect(by(`ntfy:http://127.0.0.1:${deadPort}/`)).toMatchObject({ ok: false, attempts: 3, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(by(`ntfy:${fake.url}/`)).toMatchObject({ ok: true, attempts: 1 });
  });

  it('a bad chat id is refused at submit', async () => {
    const r = await s.call('bg_submit', { command: 'true', deliver_to: ['telegram:not a chat'] });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/telegram:.*chat id/);
  });

  it('no secret in records, logs, status/list output or the server\'s stderr; webhook URLs are shown redacted', async () => {
    const id = await submit('echo secret check', [slack(), discord(), ntfy(), 'telegram:777']);
    await deliveries(id, 4);
    const status = await bgbash(s.dataDir, ['status', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`slack:${fake.url.replace(/[.]/g, '\\.')}/… \\(ref [0-9a-f]{12}\\): sent`));
    expect(status.stdout).toContain('telegram:777: sent');
    const outputs = [status.stdout, status.stderr];
    for (const r of await Promise.all([['status', id, '--json'], ['list', '--json']].map((args) => bgbash(s.dataDir, args)))) outputs.push(r.stdout, r.stderr);
    outputs.push(s.stderr());
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    walk(s.dataDir);
    const vaultDir = path.join(s.dataDir, 'targets');
    for (const f of files.filter((f) => !f.startsWith(vaultDir + path.sep))) outputs.push(fs.readFileSync(f, 'utf8'));
    for (const secret of SECRETS) for (const text of outputs) expect(text).not.toContain(secret);
    // The one place they live: user-only files.
    expect(fs.statSync(vaultDir).mode & 0o777).toBe(0o700);
    const sealed = files.filter((f) => f.startsWith(vaultDir + path.sep));
    expect(sealed.length).toBeGreaterThanOrEqual(3);
    for (const f of sealed) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('a retry keeps its targets (opened from the vault)', async () => {
    const id = await submit('echo retry-me', [slack()]);
    await deliveries(id, 1);
    const r = await s.ok('task_retry', { task_id: id });
    const again = r.structuredContent.task_id ?? r.structuredContent.task?.id;
    await waitFor(() => one(fake.to('/services/'), `Task #${again} `), 'the retried task at Slack');
  });
});

describe('bgbash notify-test', () => {
  it('sends a sample notice to each service and prints its answer, secrets redacted', async () => {
    const cases = [[slack(), '/services/'], [discord(), '/api/webhooks/'], ['telegram:555', '/bot'], [ntfy(), NTFY_PATH]] as const;
    for (const [target, prefix] of cases) {
      const before = fake.to(prefix).length;
      const r = await bgbash(s.dataDir, ['notify-test', '--set', `telegram.apiBase=${fake.url}`, target], { BGBASH_TELEGRAM_TOKEN: TOKEN });
      expect(r.code, `${target}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^sent a sample notice to \S+/);
      expect(r.stdout).toMatch(/answer: HTTP 20[04]/);
      for (const secret of SECRETS) expect(r.stdout + r.stderr).not.toContain(secret);
      expect(fake.to(prefix).length).toBe(before + 1);
      const last = fake.to(prefix).at(-1)!;
      // ntfy carries the task line in its Title header.
      expect(last.body + String(last.headers.title ?? '')).toContain('Task #0 completed');
    }
  }, 120_000);

  it('says where to set the Telegram token when there is none', async () => {
    const r = await bgbash(s.dataDir, ['notify-test', 'telegram:555']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: no Telegram bot token: set BGBASH_TELEGRAM_TOKEN/);
  });

  it('prints the service\'s error and exits 1 when it fails', async () => {
    const p = '/services/T0/B0/slackSECRETforbidden';
    fake.queue(p, { status: 403, body: 'invalid_token' });
    const r = await bgbash(s.dataDir, ['notify-test', slack(p)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error: HTTP 403 Forbidden: invalid_token');
    expect(r.stdout).not.toContain('slackSECRET');
  });

  it('refuses an unknown target with a usage error', async () => {
    const r = await bgbash(s.dataDir, ['notify-test', 'pager:123']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown target "pager:123"/);
  });
});
