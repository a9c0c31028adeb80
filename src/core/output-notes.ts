/**
 * What a task's record says about its output logs (`output_error`), from both
 * of them: the output log and, in pipe mode, stderr's. Each log reports on its
 * own (a write failed; later, written out at its end), so one log's good news
 * must not clear what the other one said: the note is cleared only when
 * neither log is failing nor lost bytes.
 */
import type { Stream } from '../run/process.js';
import { formatBytes } from '../shared/units.js';

export class OutputNotes {
  private readonly failing = new Map<Stream, string>();
  private readonly lost = new Map<Stream, number>();

  /** A write of `stream`'s log failed: the note while it does. */
  failed(stream: Stream, note: string): string {
    this.failing.set(stream, note);
    return note;
  }

  /** `stream`'s log was written out at its end, `lost` bytes short: the note now (null: nothing to tell). */
  saved(stream: Stream, lost: number): string | null {
    this.failing.delete(stream);
    this.lost.set(stream, lost);
    const stillFailing = [...this.failing.values()][0];
    if (stillFailing !== undefined) return stillFailing;
    const total = [...this.lost.values()].reduce((a, b) => a + b, 0);
    // Nothing lost: the logs are whole, only late, and there is nothing to tell.
    return total > 0 ? `the output log could not be written while the data dir was full: ${formatBytes(total)} of output were lost; the last part was written once there was room` : null;
  }
}
