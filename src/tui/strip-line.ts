/**
 * One live line drawn in place, in the normal screen (no alternate screen).
 *
 * Why not log-update (which the strip used first): it ends each frame with a
 * newline and erases by the number of rows the last frame took at the width
 * it had then. When the terminal narrows, a reflowing terminal (tmux, VTE,
 * kitty, iTerm2) rewraps the old line over more rows, and the erase leaves the
 * top ones behind as fragments. Here the cursor stays at column 1 of the line's
 * first row, and every frame starts with "erase to the end of the screen": a
 * rewrapped line's rows all lie below the cursor, so they all go, and nothing
 * above (the shell's history) is touched.
 */
export class StripLine {
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(text: string): void {
    // Hide the cursor while drawn; \r\x1b[J clears the old frame, however it wrapped.
    this.out.write(`\x1b[?25l\r\x1b[J${text}\r`);
    this.shown = true;
  }

  /** Removes the line and gives the cursor back where the line started. */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[J\x1b[?25h');
    this.shown = false;
  }
}
