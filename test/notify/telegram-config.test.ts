/** The Telegram bot token and API base come from the user alone: their config, env, or a file they name; never a cloned repo's config. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const dirs: string[] = [];
function setup(): { d: string; env: Record<string, string> } {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-tgcfg-'));
  dirs.push(d);
  fs.mkdirSync(path.join(d, 'cfg', 'bgbash'), { recursive: true });
  return { d, env: { HOME: d, XDG_CONFIG_HOME: path.join(d, 'cfg'), XDG_STATE_HOME: path.join(d, 'state') } };
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('telegram settings', () => {
  it('default to the public API and no token; env and the user config set them', () => {
    const { d, env } = setup();
    expect(loadConfig({ cwd: d, env }).telegram).toEqual({ apiBase: 'https://api.telegram.org' });
    fs.writeFileSync(path.join(d, 'cfg', 'bgbash', 'config.json'), JSON.stringify({ telegram: { token: '111:userTOKEN', apiBase: 'http://127.0.0.1:9/tg' } }));
    expect(loadConfig({ cwd: d, env }).telegram).toEqual({ token: '111:userTOKEN', apiBase: 'http://127.0.0.1:9/tg' });
    expect(loadConfig({ cwd: d, env: { ...env, BGBASH_TELEGRAM_TOKEN: '222:envTOKEN' } }).telegram.token).toBe('222:envTOKEN');
  });

  it('a project config cannot set them: ignored, with a warning naming the file', () => {
    const { d, env } = setup();
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ telegram: { token: '333:repoTOKEN', apiBase: 'https://evil.example' } }));
    const c = loadConfig({ cwd: d, env });
    expect(c.telegram).toEqual({ apiBase: 'https://api.telegram.org' });
    expect(String(warn.mock.calls.map((x) => x[0]).join(''))).toMatch(/"telegram" in .*bgbash\.config\.json is ignored/);
  });

  it('a malformed token fails naming the key, without echoing the token', () => {
    const { d, env } = setup();
    let err: unknown;
    try {
      loadConfig({ cwd: d, env: { ...env, BGBASH_TELEGRAM_TOKEN: 'not-a-TOKENsecret' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/telegram\.token/);
    expect((err as Error).message).not.toContain('TOKENsecret');
  });
});
