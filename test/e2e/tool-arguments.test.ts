/**
 * An argument a tool does not take is a tool error naming the ones it does,
 * nearest first (issue 21 item 5): zod dropped it silently, so `backgroud:
 * true` ran the command in the foreground and the model never learned why.
 * The known names are each tool's own schema (what tools/list shows).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, text, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('unknown tool arguments', () => {
  it('a misspelt argument is refused, the call does not run, and the error names the known ones nearest first', async () => {
    const file = path.join(tempDir(), 'ran');
    const r = await s.call('bash', { command: `touch ${file}`, backgroud: true });
    expect(r.isError).toBe(true);
    const said = text(r);
    expect(said).toMatch(/^Error: bash has no argument "backgroud" \(did you mean "background"\?\)\. Its arguments, nearest first: background, /);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('the known names are each tool\'s own schema: every argument tools/list shows, and only those', async () => {
    const { tools } = await s.client.listTools();
    for (const tool of tools) {
      const r = await s.call(tool.name, { zz_not_an_argument: 1 });
      expect(r.isError, tool.name).toBe(true);
      const listed = /nearest first: (.*)\. Fix the call/.exec(text(r))?.[1].split(', ');
      expect(listed?.sort(), tool.name).toEqual(Object.keys(tool.inputSchema.properties ?? {}).sort());
    }
  });

  it('hostile names: a 2 MB name and a name with escapes are named short and inert, 30 of them are counted, and the server answers', async () => {
    const huge = `x${'y'.repeat(2 * 1024 * 1024)}`;
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`odd_${i}\x1b]0;title\x07`, 1]));
    const r = await s.call('task_status', { [huge]: 1, ...many });
    const said = text(r);
    expect(said).toMatch(/^Error: task_status has no arguments "xy{98}…", "odd_0", "odd_1", /);
    expect(said).toContain(' and 11 more. Its arguments, nearest first: ');
    expect(said).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
    expect(said.length).toBeLessThan(4000);
    expect((await s.ok('task_list', {})).isError).toBeFalsy();
  });

  it('several unknown arguments are all named, and an argument of another tool is not taken for this one', async () => {
    const r = await s.call('task_status', { task_id: '1', wiat: 5, until_listening: 'ready' });
    expect(text(r)).toMatch(/task_status has no arguments "wiat", "until_listening"\. Its arguments, nearest first: wait, /);
  });
});
