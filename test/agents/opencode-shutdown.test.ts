/**
 * opencode: `opencode run` ending while a task runs leaves the task
 * `cancelled`: its session ended (the task runs under the bgbash daemon, not
 * under opencode's `bgbash serve`, a thin front-end).
 *
 * The plugin's idle wake / busy insert is tested against a real bgbash server
 * in test/e2e/plugins.test.ts. Here, with the plugin loaded, opencode 1.18.33
 * first installs @opencode-ai/plugin for it from the network and stalls for
 * minutes offline, so no scenario loads it yet (see the closing note of #11).
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startChat } from './lib/chat.js';
import { ensureCli } from './lib/clis.js';
import { bgbashTool } from './lib/model.js';
import { opencodeRun, prepareOpencode } from './lib/opencode.js';
import { taskRecord } from './lib/records.js';
import { endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('opencode-1.18.33 shutdown', () => {
  // opencode SIGTERMs every process under its MCP server (a `pgrep -P` walk), then closes its
  // stdin. The task is not under the front-end any more (the daemon runs it), so the walk finds
  // nothing of it: it is the session's end, seen by the daemon, that cancels it.
  it('opencode run ending while a task runs: the task is cancelled, "the agent session ended"', async () => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const ep = track(
      await startChat(
        steps([(input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 60', background: true, name: 'left' } }] }), () => ({ text: 'bye' })], {
          side: { text: 'Left' },
        }),
      ),
    );
    const run = opencodeRun(bin, ws, prepareOpencode(ws, ep), 'start and leave');
    const { code } = await run.done;
    expectScriptOk(ep);
    expect(code, run.stderr()).toBe(0);
    const rec = await waitFor(() => {
      const r = taskRecord(ws, '1');
      return r && r.state !== 'running' ? r : null;
    }, 'the task to be closed', 30_000);
    expect(rec).toMatchObject({ state: 'cancelled', error: 'the agent session ended', termination: { reason: 'cancelled', by: 'session end' } });
  });
});
