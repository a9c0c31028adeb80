/**
 * Full-screen frames on the alternate screen, every row of the terminal used.
 * log-update always ends a frame with a newline, which leaves the last row to
 * the cursor; the seed's layout needs all 14 rows at height 14 (6 table + 8
 * detail). So the page is drawn here the way log-update draws: only changed
 * lines rewritten, inside a synchronized-output block, so nothing flickers.
 * After leave() nothing is drawn: the shell's screen comes back as it was.
 */
export class Screen {
  private previous: string[] = [];
  private active = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  get width(): number {
    return this.out.columns || 80;
  }
  get height(): number {
    return this.out.rows || 24;
  }

  enter(): void {
    this.active = true;
    this.out.write('\x1b[?1049h\x1b[?25l\x1b[2J');
    this.previous = [];
  }

  leave(): void {
    if (!this.active) return;
    this.active = false;
    this.out.write('\x1b[?25h\x1b[?1049l');
  }

  /** Forget what is on screen (after a resize): the next frame is drawn whole. */
  invalidate(): void {
    if (!this.active) return;
    this.previous = [];
    this.out.write('\x1b[2J');
  }

  draw(lines: string[]): void {
    // A frame drawn after leave() would land on the shell's screen (a late refresh, a timer).
    if (!this.active) return;
    let seq = '\x1b[?2026h';
    const rows = Math.min(lines.length, this.height);
    for (let i = 0; i < Math.max(rows, this.previous.length); i++) {
      const next = i < rows ? lines[i] : '';
      if (this.previous[i] === next) continue;
      seq += `\x1b[${i + 1};1H${next}\x1b[K`;
    }
    seq += '\x1b[?2026l';
    this.out.write(seq);
    this.previous = lines.slice(0, rows);
  }
}
