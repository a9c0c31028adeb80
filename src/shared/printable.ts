/**
 * The one gate for task fields printed to a person's terminal (CLI, Tasks
 * page, strip, attach footer). Task names, commands, results and errors come
 * from agents and from records on disk: a name holding `ESC ] 0 ; … BEL`
 * would set the window title, `ESC ] 52` would write the clipboard. So escape
 * sequences go first (with their payloads), then every remaining C0 control
 * but newline and tab, DEL, the C1 range (U+0080–U+009F: 8-bit CSI/OSC) and
 * the bidi overrides and isolates that make text read differently than it is.
 */
import stripAnsi from 'strip-ansi';

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return stripAnsi(text).replace(CONTROLS, '');
}

// JSON.stringify escapes only U+0000–U+001F: DEL, the C1 range and the bidi
// controls stay raw in `--json` output. As \u escapes they are the same JSON
// value and inert on a terminal.
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function inert(text: string): string {
  return text.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A task field on one line for a listing (the agent's task_list, notices):
 * through the printable gate, so a bidi override in a name cannot make the
 * line read differently than it is; whitespace runs as one space; cut to
 * `max` characters (whole code points) with "…".
 */
export function oneLine(text: string, max: number): string {
  const flat = printable(text).replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : flat;
}
