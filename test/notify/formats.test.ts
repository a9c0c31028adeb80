/** Each service's message stays within that service's documented limit, whatever the output, and keeps its end. */
import { describe, expect, it } from 'vitest';
import { discordContent } from '../../src/notify/discord.js';
import { parseRetryAfter } from '../../src/notify/http-post.js';
import { headerValue, ntfyMessage } from '../../src/notify/ntfy.js';
import type { EndReport } from '../../src/notify/report.js';
import { scrubEnv } from '../../src/notify/report.js';
import { slackText } from '../../src/notify/slack.js';
import { telegramText } from '../../src/notify/telegram.js';

function report(tail: string[], extra: Partial<EndReport> = {}): EndReport {
  return { taskId: '7', label: 'npm test', state: 'failed', exitCode: 1, signal: null, error: 'exited with code 1', elapsedMs: 2_412_000, host: 'box', tail, ...extra };
}

// Lines that grow when escaped (&, <, >), carry multi-byte and astral characters, and one very long line.
const nasty = [...Array.from({ length: 300 }, (_, i) => `<<&&>> line ${i} ünï 🚀🚀 ${'x'.repeat(i % 7 === 0 ? 900 : 40)}`), 'THE-LAST-LINE'];

describe('per-service limits', () => {
  it('slack: text within 4,000 characters, last line kept, code block closed', () => {
    const text = slackText(report(nasty));
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/THE-LAST-LINE\n```$/);
  });

  it('discord: content within 2,000 characters (counted as Discord counts, by code points and by UTF-16)', () => {
    const content = discordContent(report(nasty));
    expect(content.length).toBeLessThanOrEqual(2000);
    expect(content).toMatch(/THE-LAST-LINE\n```$/);
  });

  it('telegram: visible text within 4,096 characters after entities are parsed', () => {
    const text = telegramText(report(nasty));
    const visible = text.replace(/<\/?(b|pre)>/g, '').replace(/&(amp|lt|gt);/g, '_');
    expect(visible.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/THE-LAST-LINE<\/pre>$/);
    expect(text).not.toMatch(/<(?!\/?(b|pre)>)/);
  });

  it('ntfy: body within 4,096 bytes, high priority when failed, title header ASCII or RFC 2047', () => {
    const m = ntfyMessage(report(nasty));
    expect(Buffer.byteLength(m.body)).toBeLessThanOrEqual(4096);
    expect(m.body.endsWith('THE-LAST-LINE')).toBe(true);
    expect(m.priority).toBe('high');
    expect(ntfyMessage(report([], { state: 'done', exitCode: 0, error: null })).priority).toBe('default');
    expect(headerValue('plain title')).toBe('plain title');
    expect(headerValue('Größe ✓')).toBe(`=?UTF-8?B?${Buffer.from('Größe ✓').toString('base64')}?=`);
    expect(headerValue('two\r\nlines')).toBe('two lines');
  });

  it('a timeout or cancel says why; an exit status is not repeated as an error', () => {
    expect(slackText(report([]))).not.toContain('Error:');
    expect(slackText(report([], { error: 'timed out after 30m and was stopped' }))).toContain('Error: timed out after 30m');
  });
});

describe('Retry-After and env values', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('replaces env values with their names, longest first, leaving tiny values alone', () => {
    expect(scrubEnv('key=abcdef1234 and abcdef', { A: 'abcdef', B: 'abcdef1234', C: '1' })).toBe('key=$B and $A');
  });
});
