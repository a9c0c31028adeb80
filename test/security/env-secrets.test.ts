/**
 * Issue 27, promise 1: a secret in the environment the server runs in (the
 * agent's: an API token, a password) never reaches a delivery, even when the
 * command prints it — Slack, Discord, Telegram, ntfy, webhook and command
 * targets alike — while ordinary values the output shows stay as printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServices, type FakeServices } from '../helpers/fake-services.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const SECRETS = {
  API_TOKEN: 'hunter2secret',
  DB_PASSWORD: 'correct-horse-9',
  // No secret-sounding name: caught by its shape.
  UPSTREAM: 'ghp_AbCdEf0123456789AbCdEf0123456789abcd',
};
const ORDINARY = { DEPLOY_MODE: 'production', SHORT_KEY: 'k9', AUTH_DIR: '/srv/auth' };
const TG_TOKEN = '4242:tgTOKENvalue';

let fake: FakeServices;
let s: TestServer;

beforeAll(async () => {
  fake = await startFakeServices();
  s = await startServer({ env: { ...SECRETS, ...ORDINARY, BGBASH_TELEGRAM_TOKEN: TG_TOKEN }, set: { 'telegram.apiBase': fake.url } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

describe("the server's own environment in deliveries", () => {
  it('secrets show as $NAME in every target; ordinary values stay', async () => {
    const out = path.join(tempDir(), 'delivered.json');
    const print = Object.keys({ ...SECRETS, ...ORDINARY }).map((k) => `echo "${k}=$${k}"`).join('; ');
    const r = await s.ok('bg_submit', {
      command: `${print}; exit 1`,
      name: 'env check',
      deliver_to: [
        `slack:${fake.url}/services/T/B/sec`,
        `discord:${fake.url}/api/webhooks/1/sec`,
        'telegram:1234',
        `ntfy:${fake.url}/sec-topic`,
        `webhook:${fake.url}/hook/sec`,
        `command:cat > ${out}`,
      ],
    });
    const id = r.structuredContent.task_id;
    const mine = (prefix: string) => () => fake.to(prefix).find((x) => x.body.includes('DEPLOY_MODE') || String(x.headers.title ?? '').includes(`#${id}`));
    const bodies = await Promise.all([
      waitFor(mine('/services/T/B/sec'), 'slack'),
      waitFor(mine('/api/webhooks/1/sec'), 'discord'),
      waitFor(mine('/bot'), 'telegram'),
      waitFor(mine('/sec-topic'), 'ntfy'),
      waitFor(mine('/hook/sec'), 'webhook'),
    ]).then((rs) => rs.map((x) => x.body));
    bodies.push(await waitFor(() => (fs.existsSync(out) && fs.readFileSync(out, 'utf8').endsWith('}') ? fs.readFileSync(out, 'utf8') : null), 'the command target'));
    expect(bodies).toHaveLength(6);
    for (const body of bodies) {
      for (const [name, value] of Object.entries(SECRETS)) {
        expect(body).not.toContain(value);
        expect(body).toContain(`${name}=$${name}`);
      }
      expect(body).toContain('DEPLOY_MODE=production');
      expect(body).toContain('SHORT_KEY=k9');
      expect(body).toContain('AUTH_DIR=/srv/auth');
    }
    // The task itself ran with the real values: only deliveries are masked.
    const output = await s.ok('task_output', { task_id: id });
    expect(output.structuredContent.output).toContain('API_TOKEN=hunter2secret');
  });
});
