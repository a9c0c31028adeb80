/** Claude Code `-p` (print mode) with bgbash as a plain MCP server. */
import { describe, expect, it } from 'vitest';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { endpoints } from './lib/scenario.js';
import { STORIES } from './lib/stories.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe.each(['claude-2.1.330', 'claude-2.1.197'] as const)('%s print mode', (id) => {
  it.each(STORIES)('$title', async (story) => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(await startAnthropic(story.script()));
    const run = claudePrint(bin, ws, ep, story.prompt);
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    story.check(ep, ws);
  });
});
