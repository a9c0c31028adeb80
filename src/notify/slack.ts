/**
 * Slack incoming webhooks: POST {"text": …} as JSON to the hooks.slack.com
 * URL; the answer is `ok` (200). The text is mrkdwn: the task line in bold,
 * the last lines in a code block. Slack wants &, < and > escaped as entities
 * and recommends keeping text under 4,000 characters
 * (https://api.slack.com/messaging/webhooks, /reference/surfaces/formatting).
 */
import type { PostRequest } from './http-post.js';
import { clip, errorNote, headline, lastLinesWithin, statusLine, type EndReport } from './report.js';
import { STATE_EMOJI } from './emoji.js';

const TEXT_MAX = 4000;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A ``` inside the output would end the code block early. */
function fenceSafe(line: string): string {
  return line.replace(/```/g, '`\u200b`\u200b`');
}

export function slackText(r: EndReport): string {
  const head = [`*${STATE_EMOJI[r.state]} ${headline(r)}:* ${escape(clip(r.label, 200))}`, escape(statusLine(r))];
  const err = errorNote(r);
  if (err) head.push(`Error: ${escape(clip(err, 300))}`);
  const top = head.join('\n');
  // Escaping can grow a line: measure the escaped form against what is left.
  const budget = TEXT_MAX - top.length - 10;
  const lines = lastLinesWithin(r.tail.map(fenceSafe), budget, 300, (s) => escape(s).length);
  return lines.length ? `${top}\n\`\`\`\n${escape(lines.join('\n'))}\n\`\`\`` : top;
}

export function slackRequest(url: string, r: EndReport): PostRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: slackText(r) }), secrets: [url] };
}
