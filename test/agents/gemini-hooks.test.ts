/**
 * Gemini CLI with what `bgbash install gemini-cli --user` writes: the MCP
 * server and AfterTool / BeforeAgent hooks running `bgbash hook gemini-cli`,
 * in a trusted folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ensureCli } from './lib/clis.js';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import { bgbashInstall } from './lib/install.js';
import { bgbashTool, countIn, whereIs } from './lib/model.js';
import { noticeWaiting } from './lib/records.js';
import { conversation, endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();
const NOTICE = '[Task #1 completed] gated';

describe('gemini-0.61.0 with bgbash install gemini-cli', () => {
  it('AfterTool hook: the notice comes with the next tool result (any tool), once', async () => {
    const bin = ensureCli('gemini-0.61.0');
    const ws = workspace({}, { defaultDataDir: true });
    const ep = track(
      await startGemini(
        steps([
          (input) => ({
            calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'until [ -e go ]; do sleep 0.05; done; echo gem-marker', background: true, name: 'gated' } }],
          }),
          async () => {
            fs.writeFileSync(path.join(ws.project, 'go'), '');
            await waitFor(() => noticeWaiting(ws, '1'), 'the notice in the inbox', 60_000);
            return { calls: [{ name: 'list_directory', input: { dir_path: '.' } }] };
          },
          () => ({ text: 'all done' }),
        ]),
      ),
    );
    const env = prepareGemini(ws, ep, { mcp: false });
    expect(bgbashInstall(ws, ['gemini-cli', '--user'], env)).toMatch(/added mcpServers\.bgbash[\s\S]*added the bgbash hook to hooks\.BeforeAgent, hooks\.AfterTool/);
    const run = geminiPrint(bin, ws, env, 'run gated');
    const { code } = await run.done;
    expectScriptOk(ep);
    expect(code, run.stderr()).toBe(0);
    const final = conversation(ep)[2]!;
    const hits = whereIs(final, NOTICE);
    expect(hits.length).toBe(1);
    expect(countIn(final, NOTICE)).toBe(1);
    // Appended to the list_directory result, inside Gemini's <hook_context>.
    expect(hits[0]!.part).toMatchObject({ kind: 'tool_result', name: 'list_directory' });
    expect(hits[0]!.part.kind === 'tool_result' && hits[0]!.part.text).toMatch(/<hook_context>[\s\S]*\[Task #1 completed\]/);
  });
});
