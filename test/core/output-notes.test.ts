/** The record's note about a task's output logs comes from both of them (stdout's and, in pipe mode, stderr's). */
import { describe, expect, it } from 'vitest';
import { OutputNotes } from '../../src/core/output-notes.js';
import { formatBytes } from '../../src/shared/units.js';

describe('OutputNotes', () => {
  it("one log written out whole does not clear what the other lost, in either order", () => {
    for (const [first, second] of [['stdout', 'stderr'], ['stderr', 'stdout']] as const) {
      const notes = new OutputNotes();
      notes.failed(first, 'cannot write the output log (ENOSPC)');
      notes.failed(second, 'cannot write the output log (ENOSPC)');
      const lost = first === 'stdout' ? 2048 : 0;
      notes.saved(first, lost);
      expect(notes.saved(second, 2048 - lost)).toMatch(/: 2(\.0)? KiB of output were lost; the last part was written once there was room$/);
    }
  });

  it("keeps one log's failure while the other is written out, and says nothing once both are whole", () => {
    const notes = new OutputNotes();
    notes.failed('stdout', 'cannot write the output log (ENOSPC)');
    notes.failed('stderr', 'cannot write the output log (EIO)');
    expect(notes.saved('stdout', 0)).toBe('cannot write the output log (EIO)');
    expect(notes.saved('stderr', 0)).toBeNull();
  });

  it('adds what both lost', () => {
    const notes = new OutputNotes();
    notes.failed('stdout', 'x');
    notes.failed('stderr', 'x');
    notes.saved('stdout', 1024);
    expect(notes.saved('stderr', 1000)).toContain(`: ${formatBytes(2024)} of output were lost`);
  });
});
