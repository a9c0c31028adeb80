/** Gemini CLI (`gemini -p`) with bgbash as an MCP server. */
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import { endpoints } from './lib/scenario.js';
import { STORIES } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('gemini-0.61.0 print mode', () => {
  it.each(STORIES)('$title', async (story) => {
    const bin = ensureCli('gemini-0.61.0');
    const ws = workspace();
    const ep = track(await startGemini(story.script()));
    const env = prepareGemini(ws, ep);
    const run = geminiPrint(bin, ws, env, story.prompt);
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    story.check(ep, ws);
  });
});
