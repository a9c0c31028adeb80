/**
 * The agent CLI exits while a task it started still runs: the task ends
 * `cancelled`, "the agent session ended", in Codex and Gemini CLI (Claude
 * Code: claude-plugin.test.ts; opencode: opencode-shutdown.test.ts). The task
 * runs under the bgbash daemon, not under the CLI's `bgbash serve` (a thin
 * front-end): the front-end going away ends its session, and the daemon
 * cancels that session's tasks.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ensureCli, type CliId } from './lib/clis.js';
import { codexExec, prepareCodex } from './lib/codex.js';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import { bgbashTool, type Script } from './lib/model.js';
import { taskRecord } from './lib/records.js';
import { startResponses } from './lib/responses.js';
import { endpoints, expectCleanExit, steps } from './lib/scenario.js';
import type { Drive } from './lib/story-runner.js';
import type { Endpoint } from './lib/http.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

const CLIS: Array<{ id: CliId; start: (s: Script) => Promise<Endpoint>; drive: Drive }> = [
  { id: 'codex-0.169.0', start: startResponses, drive: (bin, ws, ep, prompt) => codexExec(bin, ws, prepareCodex(ws, ep), prompt) },
  { id: 'gemini-0.61.0', start: startGemini, drive: (bin, ws, ep, prompt) => geminiPrint(bin, ws, prepareGemini(ws, ep), prompt) },
];

describe.each(CLIS)('$id shutdown', ({ id, start, drive }) => {
  it('the CLI exiting while a task runs: the task is cancelled, "the agent session ended"', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(await start(steps([(input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 60', background: true, name: 'left' } }] }), () => ({ text: 'bye' })])));
    await expectCleanExit(drive(bin, ws, ep, 'start and leave'), ep);
    const rec = await waitFor(() => {
      const r = taskRecord(ws, '1');
      return r && r.state !== 'running' ? r : null;
    }, 'the task to be closed', 60_000);
    expect(rec).toMatchObject({ state: 'cancelled', error: 'the agent session ended', termination: { reason: 'cancelled', by: 'session end' } });
  });
});
