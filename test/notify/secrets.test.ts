/** Which environment values count as secrets for deliveries, and which ordinary values are left alone. */
import { describe, expect, it } from 'vitest';
import { environmentSecrets, maskDeep, maskValues, MIN_NAMED_SECRET, secretName, secretValue } from '../../src/notify/secrets.js';

describe('secret names', () => {
  it('TOKEN, KEY, SECRET, PASSWORD and friends, as a part of the name', () => {
    for (const n of ['API_TOKEN', 'GITHUB_TOKEN', 'TOKENX', 'OPENAI_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'MYSQL_PWD', 'PGPASSWORD', 'SMTP_PASS', 'HF_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS', 'SENTRY_DSN', 'npm_config__auth', 'STRIPE_APIKEY']) {
      expect(secretName(n), n).toBe(true);
    }
  });
  it('not names that only look alike', () => {
    for (const n of ['PWD', 'OLDPWD', 'KEYBOARD_LAYOUT', 'HOME', 'PATH', 'MONKEY_MODE', 'XAUTHORITY', 'TERM', 'LANG', 'BGBASH_SESSION']) {
      expect(secretName(n), n).toBe(false);
    }
  });
});

describe('secret values, whatever the name', () => {
  it('known token prefixes, passwords in URLs, long mixed-case runs', () => {
    expect(secretValue('ghp_' + 'a1B2'.repeat(9))).toBe(true);
    expect(secretValue('sk-proj-abcdefghijklmnop123456')).toBe(true);
    expect(secretValue('xoxb-1234-5678-abcdefghijkl')).toBe(true);
    expect(secretValue('postgres://app:s3cretpw@db.internal:5432/app')).toBe(true);
    expect(secretValue('Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdI')).toBe(true);
  });
  it('not ordinary values', () => {
    for (const v of ['production', '/home/me/.ssh/agent.sock', 'https://example.com/docs', '0123456789abcdef0123456789abcdef01234567', 'xterm-256color', 'en_US.UTF-8', 'a b c d e f g h i j k', 'sk-short']) {
      expect(secretValue(v), v).toBe(false);
    }
  });
});

describe('environmentSecrets', () => {
  it(`masks named secrets of ${MIN_NAMED_SECRET}+ characters that are not paths, numbers or one plain word`, () => {
    const env = {
      API_TOKEN: 'hunter2secret',
      SHORT_KEY: 'abc123', // too short: a setting, not a credential
      TOKEN_TTL: '86400000', // a number
      AUTH_MODE: 'disabled', // one plain word
      SSH_AUTH_SOCK: '/run/user/1000/ssh-agent.sock', // a path
      MODE: 'production',
      HOME: '/home/me',
      STRIPE: 'sk_live_abcdefghijklmnopqrstuvwx', // by value alone
    };
    expect(environmentSecrets(env).map(([n]) => n).sort()).toEqual(['API_TOKEN', 'STRIPE']);
  });
});

describe('masking', () => {
  it('longest first, every occurrence, inside JSON-like values', () => {
    const pairs: Array<[string, string]> = [['A', 'abcdefgh'], ['B', 'abcdefgh1234']];
    expect(maskValues('x=abcdefgh1234 y=abcdefgh', pairs)).toBe('x=$B y=$A');
    expect(maskDeep({ command: 'echo abcdefgh', list: ['abcdefgh1234'], n: 3, z: null }, pairs)).toEqual({ command: 'echo $A', list: ['$B'], n: 3, z: null });
  });
});
