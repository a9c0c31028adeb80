/**
 * ntfy: a plain-text POST to the topic URL, with the title, priority and tags
 * in headers (Title, Priority, Tags). Messages over 4,096 bytes become an
 * attachment, so the body is kept under that. Header values go out as RFC 2047
 * encoded words when they are not ASCII, which ntfy decodes
 * (https://docs.ntfy.sh/publish/). The topic is the password of a public
 * ntfy server: its URL is a secret.
 */
import type { PostRequest } from './http-post.js';
import { clip, errorNote, headline, lastLinesWithin, statusLine, type EndReport } from './report.js';

const BODY_MAX_BYTES = 4096;
/** ntfy turns known tag names into emoji (https://docs.ntfy.sh/emojis/). */
const TAGS = { done: 'white_check_mark', failed: 'x', cancelled: 'stop_sign' } as const;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export function headerValue(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

export function ntfyMessage(r: EndReport): { title: string; body: string; priority: string; tags: string } {
  const head = [statusLine(r)];
  const err = errorNote(r);
  if (err) head.push(`Error: ${clip(err, 300)}`);
  const top = head.join('\n');
  const lines = lastLinesWithin(r.tail, BODY_MAX_BYTES - bytes(top) - 2, 300, bytes);
  return {
    title: `${headline(r)}: ${clip(r.label, 120)}`,
    body: lines.length ? `${top}\n\n${lines.join('\n')}` : top,
    priority: r.state === 'failed' ? 'high' : 'default',
    tags: `${TAGS[r.state]},bgbash`,
  };
}

/** A protected topic's credentials may sit in the URL (https://user:pass@host/topic, or :tk_token@ for an access token): sent as Basic auth, which fetch will not take from the URL. */
function splitCredentials(url: string): { url: string; auth: Record<string, string>; secrets: string[] } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, auth: {}, secrets: [] };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), auth: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` }, secrets: [user, pass] };
}

export function ntfyRequest(topicUrl: string, r: EndReport): PostRequest {
  const m = ntfyMessage(r);
  const { url, auth, secrets } = splitCredentials(topicUrl);
  // ntfy's answer names the topic without its slash; a topic of a few letters is no secret worth blanking every answer for.
  const topic = new URL(url).pathname.replace(/^\/+/, '');
  return {
    url,
    headers: { 'content-type': 'text/plain; charset=utf-8', title: headerValue(m.title), priority: m.priority, tags: m.tags, ...auth },
    body: m.body,
    secrets: [topicUrl, url, ...secrets, ...(topic.length >= 4 ? [topic] : [])],
  };
}
