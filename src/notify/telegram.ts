/**
 * Telegram Bot API: POST JSON {chat_id, text, parse_mode} to
 * <apiBase>/bot<token>/sendMessage; the answer is {"ok": true, "result": …}.
 * `text` is 1–4,096 characters after entity parsing; with parse_mode HTML
 * only <, > and & need escaping (https://core.telegram.org/bots/api#sendmessage,
 * #html-style). A 429 says how long to wait in `parameters.retry_after`.
 * The token is a secret: it is in the URL only, never in a message or record.
 */
import type { PostRequest } from './http-post.js';
import { clip, errorNote, headline, lastLinesWithin, statusLine, type EndReport } from './report.js';
import { STATE_EMOJI } from './emoji.js';

export const TELEGRAM_API = 'https://api.telegram.org';
/** Below Telegram's 4,096 (counted in UTF-16 units after entity parsing), leaving room for the header line. */
const TEXT_MAX = 3900;

export interface TelegramSettings {
  token?: string;
  apiBase: string;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Numeric chat ids (groups are negative) or a public channel's @username. */
export function isChatId(id: string): boolean {
  return /^-?\d{1,20}$/.test(id) || /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(id);
}

export function telegramText(r: EndReport): string {
  const head = [`<b>${STATE_EMOJI[r.state]} ${escape(headline(r))}:</b> ${escape(clip(r.label, 200))}`, escape(statusLine(r))];
  const err = errorNote(r);
  if (err) head.push(`Error: ${escape(clip(err, 300))}`);
  const top = head.join('\n');
  // Entities are not counted: measure what the reader sees.
  const visible = top.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt);/g, '_').length;
  const lines = lastLinesWithin(r.tail, TEXT_MAX - visible - 2, 300, (x) => x.length);
  return lines.length ? `${top}\n<pre>${escape(lines.join('\n'))}</pre>` : top;
}

export function telegramRetryHint(body: string): number | null {
  try {
    const s = (JSON.parse(body) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof s === 'number' && s >= 0 ? Math.round(s * 1000) : null;
  } catch {
    return null;
  }
}

export function telegramRequest(chatId: string, settings: TelegramSettings & { token: string }, r: EndReport): PostRequest {
  return {
    url: `${settings.apiBase.replace(/\/+$/, '')}/bot${settings.token}/sendMessage`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chat_id: chatId, text: telegramText(r), parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
    secrets: [settings.token],
    retryHint: telegramRetryHint,
  };
}
