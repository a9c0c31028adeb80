/**
 * Codex with what `bgbash install codex` writes: [mcp_servers.bgbash] and
 * hooks.json (PostToolUse, UserPromptSubmit, Stop → `bgbash hook codex`).
 * `codex exec --dangerously-bypass-hook-trust` stands in for trusting them in /hooks.
 */
import { describe, expect, it } from 'vitest';
import { ensureCli } from './lib/clis.js';
import { codexExec, prepareCodex } from './lib/codex.js';
import { gate } from './lib/gate.js';
import type { Endpoint } from './lib/http.js';
import { bgbashInstall } from './lib/install.js';
import type { Script } from './lib/model.js';
import { taskRecord } from './lib/records.js';
import { startResponses } from './lib/responses.js';
import { conversation, endpoints, expectCleanExit, onlyHit, steps } from './lib/scenario.js';
import { workspace, type Workspace } from './lib/workspace.js';

const track = endpoints();

/** `bgbash install codex`, then `codex exec` with its hooks trusted, against a fresh endpoint running `script`. */
async function installedRun(ws: Workspace, script: Script, prompt: string): Promise<Endpoint> {
  const bin = ensureCli('codex-0.169.0');
  const ep = track(await startResponses(script));
  const env = prepareCodex(ws, ep, { mcp: false });
  // --local: the server is this checkout (bgbash-mcp is not on npm yet).
  expect(bgbashInstall(ws, ['codex', '--local'], env)).toMatch(/added \[mcp_servers\.bgbash\][\s\S]*added the bgbash hook to hooks\.PostToolUse, hooks\.UserPromptSubmit, hooks\.Stop[\s\S]*trust/);
  await expectCleanExit(codexExec(bin, ws, env, prompt, ['--dangerously-bypass-hook-trust']), ep);
  return ep;
}

describe('codex-0.169.0 with bgbash install codex', () => {
  it('PostToolUse hook: a notice comes after the next tool call (any tool), as context, once', async () => {
    const ws = workspace({}, { defaultDataDir: true });
    const g = gate(ws, 'hooked', 'codex-hook-marker');
    const ep = await installedRun(
      ws,
      steps([
        g.start,
        g.releaseThen({ calls: [{ name: 'exec_command', input: { cmd: 'true' } }] }),
        () => ({ text: 'all done' }),
      ]),
      'run hooked',
    );
    const final = conversation(ep)[2]!;
    const hit = onlyHit(final, g.notice);
    // A developer message Codex inserts right after the exec_command call (before its output).
    // (The script's own call: one made while waiting for bgbash to connect, `sleep 1`, may come before it.)
    const call = final.parts.findIndex((p) => p.kind === 'tool_call' && p.name === 'exec_command' && (p.input as { cmd?: string }).cmd === 'true');
    expect(hit).toMatchObject({ index: call + 1, part: { kind: 'system' } });
    expect(taskRecord(ws, '1')!.state).toBe('done');
  });

  it('Stop hook: a notice waiting when the model ends its turn keeps it going, once', async () => {
    const ws = workspace({}, { defaultDataDir: true });
    const g = gate(ws, 'hooked', 'codex-hook-marker');
    const ep = await installedRun(
      ws,
      steps([
        g.start,
        g.releaseThen({ text: 'Started it.' }),
        () => ({ text: 'It completed.' }),
      ]),
      'run hooked',
    );
    const calls = conversation(ep);
    expect(calls.length).toBe(3);
    const final = calls[2]!;
    const hit = onlyHit(final, g.notice);
    expect(hit.index).toBeGreaterThan(final.parts.findIndex((p) => p.kind === 'assistant' && p.text === 'Started it.'));
  });
});
