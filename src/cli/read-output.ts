/**
 * A running task's output up to an offset the server gave (a `subscribe`
 * answer), as the CLI replays it before following live output. The log file
 * may not hold all of it yet: the server counts a chunk as soon as it has it
 * and writes it to the file a moment later. What the file lacks is asked of
 * the server, which still holds it in memory, so no line goes missing
 * between what is replayed and what follows.
 */
import type { ControlClient } from '../control/client.js';
import { READ_MAX } from '../control/protocol.js';
import { readLogFile } from '../store/output-log.js';

export async function readOutputTo(client: ControlClient, id: string, file: string, start: number, end: number): Promise<Buffer> {
  const parts = [await readLogFile(file, start, end)];
  for (let at = start + parts[0].length; at < end; ) {
    const { data } = await client.request('read', { id, start: at, end: Math.min(end, at + READ_MAX) });
    const got = Buffer.from(data, 'base64');
    // Nothing more to have (a log capped or unwritable short of `end`): replay what there is.
    if (got.length === 0) break;
    parts.push(got);
    at += got.length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
