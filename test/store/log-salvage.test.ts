/** Writing out an output log after the data dir was full: real files in a temp dir. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { salvageLog } from '../../src/store/log-salvage.js';
import { tempDir } from '../helpers/server.js';

describe('salvageLog', () => {
  it('writes the good part, a line saying what was lost, and the tail', async () => {
    const dir = path.join(tempDir('bgbash-salvage-'), 'tasks', '3');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'output.log');
    fs.writeFileSync(file, 'first\n');
    let lost = -1;
    expect(await salvageLog(file, 6, 20, Buffer.from('last\n'), (n) => (lost = n))).toBe('saved');
    expect(lost).toBe(14);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^first\n\n\[bgbash: 14 B of output were not saved: the data dir was full while the task ran\]\nlast\n$/);
  });

  it('gives up at once when the task directory is gone (retention removed it): it would never come back', async () => {
    const tasks = path.join(tempDir('bgbash-salvage-'), 'tasks');
    const file = path.join(tasks, '7', 'output.log');
    expect(await salvageLog(file, 0, 0, Buffer.from('out\n'), () => expect.unreachable())).toBe('gone');
    expect(fs.existsSync(path.join(tasks, '7'))).toBe(false);
  });

  it("waits for the directory of an id handed out on a full disk: it is made when the task's record can be written", async () => {
    const dir = path.join(tempDir('bgbash-salvage-'), 'tasks', String(10 ** 12 + 5));
    const file = path.join(dir, 'output.log');
    const outcome = salvageLog(file, 0, 0, Buffer.from('kept\n'));
    fs.mkdirSync(dir, { recursive: true });
    expect(await outcome).toBe('saved');
    expect(fs.readFileSync(file, 'utf8')).toBe('kept\n');
  });
});
