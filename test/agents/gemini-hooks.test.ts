/**
 * Gemini CLI with what `bgbash install gemini-cli --user` writes: the MCP
 * server and AfterTool / BeforeAgent hooks running `bgbash hook gemini-cli`,
 * in a trusted folder; and what an untrusted folder does (gemini -p will not start).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { gate } from './lib/gate.js';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import type { Endpoint } from './lib/http.js';
import { bgbashInstall } from './lib/install.js';
import type { Script } from './lib/model.js';
import { conversation, endpoints, expectCleanExit, onlyHit, steps } from './lib/scenario.js';
import { workspace, type Workspace } from './lib/workspace.js';

const track = endpoints();

/** `bgbash install gemini-cli --user` in the workspace, then `gemini -p PROMPT` against a fresh endpoint running `script`. */
async function installedRun(ws: Workspace, script: Script, prompt: string, opts: { trusted?: boolean; env?: Record<string, string> } = {}): Promise<Endpoint> {
  const bin = ensureCli('gemini-0.61.0');
  const ep = track(await startGemini(script));
  const env = prepareGemini(ws, ep, { mcp: false, trusted: opts.trusted, env: opts.env });
  expect(bgbashInstall(ws, ['gemini-cli', '--user', '--local'], env)).toMatch(/added mcpServers\.bgbash[\s\S]*added the bgbash hook to hooks\.BeforeAgent, hooks\.AfterTool/);
  await expectCleanExit(geminiPrint(bin, ws, env, prompt), ep);
  return ep;
}

describe('gemini-0.61.0 with bgbash install gemini-cli', () => {
  it('AfterTool hook: the notice comes with the next tool result (any tool), once', async () => {
    const ws = workspace({}, { defaultDataDir: true });
    const g = gate(ws, 'gated', 'gem-marker');
    const ep = await installedRun(
      ws,
      steps([
        g.start,
        g.releaseThen({ calls: [{ name: 'list_directory', input: { dir_path: '.' } }] }),
        () => ({ text: 'all done' }),
      ]),
      'run gated',
    );
    const hit = onlyHit(conversation(ep)[2]!, g.notice);
    // Appended to the list_directory result, inside Gemini's <hook_context>.
    expect(hit.part).toMatchObject({ kind: 'tool_result', name: 'list_directory' });
    expect(hit.part.kind === 'tool_result' && hit.part.text).toMatch(/<hook_context>[\s\S]*\[Task #1 completed\]/);
  });

  it('BeforeAgent hook: a notice left waiting goes with the session’s next prompt, once', async () => {
    // One bgbash session across two gemini runs, as with `bgbash serve --session` (BGBASH_SESSION).
    const ws = workspace({ BGBASH_SESSION: 'gem-before' }, { defaultDataDir: true });
    const g = gate(ws, 'left', 'left-marker');
    // First run: the task ends after the model's last tool call, so no AfterTool takes its notice.
    await installedRun(
      ws,
      steps([
        g.start,
        g.releaseThen({ text: 'Started it.' }),
      ]),
      'start left',
    );
    const ep = await installedRun(ws, steps([() => ({ text: 'Noted.' })]), 'anything new?');
    const first = conversation(ep)[0]!;
    const hit = onlyHit(first, g.notice);
    // A user part of its own right after the prompt, inside Gemini's <hook_context>.
    const prompt = first.parts.findIndex((p) => p.kind === 'user' && p.text.includes('anything new?'));
    expect(hit).toMatchObject({ index: prompt + 1, part: { kind: 'user' } });
    expect(hit.part.kind === 'user' && hit.part.text).toMatch(/^<hook_context>[\s\S]*\[Task #1 completed\] left[\s\S]*left-marker/);
  });

  it('untrusted folder: gemini -p refuses to start (exit 55), so bgbash never runs', async () => {
    const bin = ensureCli('gemini-0.61.0');
    const ws = workspace({}, { defaultDataDir: true });
    const ep = track(await startGemini(() => ({ text: 'ok' })));
    const env = prepareGemini(ws, ep, { mcp: false, trusted: false });
    bgbashInstall(ws, ['gemini-cli', '--user', '--local'], env);
    const run = geminiPrint(bin, ws, env, 'list your tools');
    const { code } = await run.done;
    expect(code).toBe(55);
    expect(run.stderr()).toMatch(/not running in a trusted directory[\s\S]*--skip-trust[\s\S]*GEMINI_CLI_TRUST_WORKSPACE=true/);
    expect(ep.inputs).toEqual([]);
    expect(fs.existsSync(path.join(ws.dataDir, 'tasks')) && fs.readdirSync(path.join(ws.dataDir, 'tasks')).length).toBeFalsy();
  });
});
