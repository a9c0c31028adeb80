/** Claude Code `-p` (print mode) with bgbash as a plain MCP server. */
import { describe, expect, it } from 'vitest';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { endpoints } from './lib/scenario.js';
import { expectPiggyBack, expectShellState, piggyBackScript, shellStateScript } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe.each(['claude-2.1.330', 'claude-2.1.197'] as const)('%s print mode', (id) => {
  it('piggy-back: a task that ended comes in the next bgbash tool result, once', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(await startAnthropic(piggyBackScript()));
    const run = claudePrint(bin, ws, ep, 'run the piggy test');
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    expectPiggyBack(ep);
  });

  it('shell state: cd into a subfolder in one call, a relative command in the next', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(await startAnthropic(shellStateScript()));
    const run = claudePrint(bin, ws, ep, 'run the shell state test');
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    expectShellState(ep, ws.project);
  });
});
