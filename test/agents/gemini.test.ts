/** Gemini CLI (`gemini -p`) with bgbash as an MCP server. */
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import { endpoints } from './lib/scenario.js';
import { expectPiggyBack, expectShellState, piggyBackScript, shellStateScript } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('gemini-0.61.0 print mode', () => {
  it('piggy-back: a task that ended comes in the next bgbash tool result, once', async () => {
    const bin = ensureCli('gemini-0.61.0');
    const ws = workspace();
    const ep = track(await startGemini(piggyBackScript()));
    const env = prepareGemini(ws, ep);
    const run = geminiPrint(bin, ws, env, 'run the piggy test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectPiggyBack(ep);
  });

  it('shell state: cd into a subfolder in one call, a relative command in the next', async () => {
    const bin = ensureCli('gemini-0.61.0');
    const ws = workspace();
    const ep = track(await startGemini(shellStateScript()));
    const env = prepareGemini(ws, ep);
    const run = geminiPrint(bin, ws, env, 'run the shell state test');
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    expectShellState(ep, ws.project);
  });
});
