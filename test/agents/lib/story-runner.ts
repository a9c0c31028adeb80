/** Every story of stories.ts through one CLI: its endpoint, its driver, a fresh workspace each. */
import { it } from 'vitest';
import { ensureCli, type CliId } from './clis.js';
import type { Endpoint } from './http.js';
import type { Script } from './model.js';
import type { Run } from './run.js';
import { endpoints, expectCleanExit } from './scenario.js';
import { STORIES } from './stories.js';
import { workspace, type Workspace } from './workspace.js';

export type Drive = (bin: string, ws: Workspace, ep: Endpoint, prompt: string) => Run;

/** Call inside a describe: one test per story. */
export function runStories(id: CliId, start: (script: Script) => Promise<Endpoint>, drive: Drive): void {
  const track = endpoints();
  it.each(STORIES)('$title', async (story) => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(await start(story.script()));
    await expectCleanExit(drive(bin, ws, ep, story.prompt), ep);
    story.check(ep, ws);
  });
}
