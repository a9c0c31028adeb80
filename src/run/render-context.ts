/**
 * Where a read's replay starts: the bytes before the window that rebuild what
 * the terminal showed at its start (a screenful of lines, or the start of a
 * full-screen program still running), bounded so a read never replays much.
 */
/** Switching to the alternate screen (`?1049h`, `?1047h`, `?47h`) and back (…`l`). */
const ALT_SWITCH = /\x1b\[\?(?:1049|1047|47)([hl])/;

/**
 * The replay starts inside a full-screen program when the first switch it sees is a leave: it enters first, so what
 * the program drew stays on the alternate screen and goes when it leaves, as on the terminal.
 */
export function enterIfInside(pre: string, post: string): string {
  const first = ALT_SWITCH.exec(pre) ?? ALT_SWITCH.exec(post);
  return first?.[1] === 'l' ? `\x1b[?1049h${pre}` : pre;
}

/** How far back the context of a read reaches at most, in bytes. */
export const CONTEXT_BYTES = 16 * 1024;

/**
 * Where to start replaying to know what the terminal showed at `at`, given up to CONTEXT_BYTES before it: after the
 * line feed that leaves a screenful of lines (a redraw reaches at most a screen up), else after the earliest line
 * feed in reach, else at a CR or ESC (not inside an escape sequence), else at the earliest whole character.
 */
export function contextStart(ctx: Buffer, rows: number, atLogStart: boolean): number {
  // Inside a full-screen program that started within reach: from its start (it draws from there, by position).
  const enter = lastAltSwitch(ctx);
  if (enter >= 0) return atLogStart ? 0 : Math.min(enter, lineStart(ctx, rows, false));
  return lineStart(ctx, rows, atLogStart);
}

/** Where the last switch to the alternate screen in `buf` begins when no switch back follows it, else -1. */
function lastAltSwitch(buf: Buffer): number {
  for (let i = buf.lastIndexOf('\x1b[?'); i >= 0; i = i > 0 ? buf.lastIndexOf('\x1b[?', i - 1) : -1) {
    const m = ALT_SWITCH.exec(buf.toString('latin1', i, i + 8));
    if (m && m.index === 0) return m[1] === 'h' ? i : -1;
  }
  return -1;
}

function lineStart(ctx: Buffer, rows: number, atLogStart: boolean): number {
  let seen = 0;
  let earliest = -1;
  for (let i = ctx.lastIndexOf(10); i >= 0; i = i > 0 ? ctx.lastIndexOf(10, i - 1) : -1) {
    earliest = i + 1;
    if (++seen > rows) return earliest;
  }
  // Fewer lines than a screen since the log began: all of them.
  if (atLogStart) return 0;
  if (earliest >= 0) return earliest;
  for (let i = 0; i < ctx.length; i++) if (ctx[i] === 13 || ctx[i] === 27) return i;
  let i = 0;
  while (i < ctx.length && i < 3 && (ctx[i] & 0xc0) === 0x80) i++;
  return i;
}

