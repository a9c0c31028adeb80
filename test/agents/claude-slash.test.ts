/**
 * `/bgbash:tasks` in Claude Code with the plugin (issue 23): the command runs
 * `bgbash list` (through npx, as shipped) and the model's request carries the
 * task table, with the task's state, and how to open the Tasks page.
 */
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { whereIs } from './lib/model.js';
import { endpoints, expectCleanExit, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe.each(['claude-2.1.330'] as const)('%s with the plugin', (id) => {
  it('/bgbash:tasks puts the `bgbash list` table in front of the model', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    // A task of another session, on disk: `bgbash list` shows every task of the data dir.
    const other = await startServer({ dataDir: ws.dataDir });
    await other.ok('bash', { command: 'echo listed; exit 3', name: 'slash-check' });
    await other.close();
    const ep = track(await startAnthropic(steps([() => ({ text: 'One task: slash-check failed.' })])));
    const run = claudePrint(bin, ws, ep, '/bgbash:tasks', { plugin: true });
    await expectCleanExit(run, ep);
    const first = ep.inputs.find((i) => whereIs(i, 'slash-check').length > 0);
    expect(first, 'a model request with the task table').toBeDefined();
    expect(whereIs(first!, /slash-check/)[0]!.part.kind).toBe('user');
    expect(whereIs(first!, /failed/).length).toBeGreaterThan(0);
    expect(whereIs(first!, 'bgbash tasks').length).toBeGreaterThan(0);
  });
});
