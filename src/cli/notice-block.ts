/** Notices as one block of text for a hook's output, within the agent's size limit. */
import type { Notice } from '../notify/notice.js';

/** Claude Code's limit on additionalContext. */
export const MAX_CONTEXT = 10_000;

/** Notices as one block of text within `max` characters; the ones that do not fit stay in the inbox. */
export function noticeBlock(notices: Notice[], max = MAX_CONTEXT): { text: string; used: Notice[] } {
  const head = 'bgbash — background tasks that ended since you last heard:\n';
  let text = head;
  const used: Notice[] = [];
  for (const n of notices) {
    const piece = `\n${n.text}\n`;
    if (text.length + piece.length > max - 80) {
      if (used.length === 0) {
        used.push(n);
        text += `\n${n.text.slice(0, max - head.length - 100)}…\n`;
      }
      break;
    }
    used.push(n);
    text += piece;
  }
  if (used.length < notices.length) text += `\n(${notices.length - used.length} more: they come with your next bgbash tool call, or \`bgbash list\`)`;
  return { text, used };
}
