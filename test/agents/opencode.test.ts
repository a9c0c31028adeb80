/** opencode (`opencode run`) with bgbash as a local MCP server. */
import { describe, expect, it } from 'vitest';
import { startChat } from './lib/chat.js';
import { ensureCli } from './lib/clis.js';
import { opencodeRun, prepareOpencode } from './lib/opencode.js';
import { endpoints } from './lib/scenario.js';
import { STORIES } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe('opencode-1.18.33 run', () => {
  it.each(STORIES)('$title', async (story) => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const ep = track(await startChat(story.script()));
    const env = prepareOpencode(ws, ep);
    const run = opencodeRun(bin, ws, env, story.prompt);
    const { code } = await run.done;
    expect(code, run.stderr() + run.stdout()).toBe(0);
    story.check(ep, ws);
  });
});
