/**
 * Discord webhooks: POST {"content": …} as JSON to the webhook URL; the
 * answer is 204 No Content. `content` holds at most 2,000 characters
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook).
 * `allowed_mentions: {parse: []}` keeps an "@everyone" in a task's output
 * from pinging the whole server. A 429 carries `retry_after` (seconds) in its
 * JSON as well as the Retry-After header.
 */
import type { PostRequest } from './http-post.js';
import { clip, errorNote, headline, lastLinesWithin, statusLine, type EndReport } from './report.js';
import { STATE_EMOJI } from './emoji.js';

const CONTENT_MAX = 2000;

function fenceSafe(line: string): string {
  return line.replace(/```/g, '`\u200b`\u200b`');
}

/** Markdown in the label would restyle it: shown as written instead (mid-line, only these characters style text). */
function plain(text: string): string {
  return text.replace(/([\\*_~`|])/g, '\\$1');
}

export function discordContent(r: EndReport): string {
  const head = [`**${STATE_EMOJI[r.state]} ${headline(r)}:** ${plain(clip(r.label, 200))}`, statusLine(r)];
  const err = errorNote(r);
  if (err) head.push(`Error: ${plain(clip(err, 300))}`);
  const top = head.join('\n');
  const budget = CONTENT_MAX - top.length - 10;
  // Measured in UTF-16 units, as Discord counts: an emoji takes two.
  const lines = lastLinesWithin(r.tail.map(fenceSafe), budget, 300, (x) => x.length);
  const content = lines.length ? `${top}\n\`\`\`\n${lines.join('\n')}\n\`\`\`` : top;
  return clip(content, CONTENT_MAX);
}

export function discordRetryHint(body: string): number | null {
  try {
    const s = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof s === 'number' && s >= 0 ? Math.round(s * 1000) : null;
  } catch {
    return null;
  }
}

export function discordRequest(url: string, r: EndReport): PostRequest {
  return {
    url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: discordContent(r), allowed_mentions: { parse: [] } }),
    secrets: [url],
    retryHint: discordRetryHint,
  };
}
