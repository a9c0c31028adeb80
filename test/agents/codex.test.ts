/** Codex CLI (`codex exec`) with bgbash as an MCP server. */
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { codexExec, prepareCodex } from './lib/codex.js';
import { startResponses } from './lib/responses.js';
import { endpoints } from './lib/scenario.js';
import { STORIES } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('codex-0.169.0 exec', () => {
  it.each(STORIES)('$title', async (story) => {
    const bin = ensureCli('codex-0.169.0');
    const ws = workspace();
    const ep = track(await startResponses(story.script()));
    const env = prepareCodex(ws, ep);
    const run = codexExec(bin, ws, env, story.prompt);
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    story.check(ep, ws);
  });
});
