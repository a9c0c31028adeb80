/** Codex CLI (`codex exec`) with bgbash as an MCP server. */
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { codexExec, prepareCodex } from './lib/codex.js';
import { startResponses } from './lib/responses.js';
import { endpoints } from './lib/scenario.js';
import { expectPiggyBack, expectShellState, piggyBackScript, shellStateScript } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('codex-0.169.0 exec', () => {
  it('piggy-back: a task that ended comes in the next bgbash tool result, once', async () => {
    const bin = ensureCli('codex-0.169.0');
    const ws = workspace();
    const ep = track(await startResponses(piggyBackScript()));
    const env = prepareCodex(ws, ep);
    const run = codexExec(bin, ws, env, 'run the piggy test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectPiggyBack(ep);
  });

  it('shell state: cd into a subfolder in one call, a relative command in the next', async () => {
    const bin = ensureCli('codex-0.169.0');
    const ws = workspace();
    const ep = track(await startResponses(shellStateScript()));
    const env = prepareCodex(ws, ep);
    const run = codexExec(bin, ws, env, 'run the shell state test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectShellState(ep, ws.project);
  });
});
