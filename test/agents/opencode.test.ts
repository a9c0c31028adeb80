/** opencode (`opencode run`) with bgbash as a local MCP server. */
import { describe, expect, it } from 'vitest';
import { startChat } from './lib/chat.js';
import { ensureCli } from './lib/clis.js';
import { opencodeRun, prepareOpencode } from './lib/opencode.js';
import { endpoints } from './lib/scenario.js';
import { expectPiggyBack, expectShellState, piggyBackScript, shellStateScript } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('opencode-1.18.33 run', () => {
  it('piggy-back: a task that ended comes in the next bgbash tool result, once', async () => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const ep = track(await startChat(piggyBackScript()));
    const env = prepareOpencode(ws, ep);
    const run = opencodeRun(bin, ws, env, 'run the piggy test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectPiggyBack(ep);
  });

  it('shell state: cd into a subfolder in one call, a relative command in the next', async () => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const ep = track(await startChat(shellStateScript()));
    const env = prepareOpencode(ws, ep);
    const run = opencodeRun(bin, ws, env, 'run the shell state test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectShellState(ep, ws.project);
  });
});
