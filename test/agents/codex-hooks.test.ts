/**
 * Codex with what `bgbash install codex` writes: [mcp_servers.bgbash] and
 * hooks.json (PostToolUse, UserPromptSubmit, Stop → `bgbash hook codex`).
 * `codex exec --dangerously-bypass-hook-trust` stands in for trusting them in /hooks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ensureCli } from './lib/clis.js';
import { codexExec, prepareCodex } from './lib/codex.js';
import { bgbashTool, countIn, whereIs } from './lib/model.js';
import { bgbashInstall } from './lib/install.js';
import { noticeWaiting, taskRecord } from './lib/records.js';
import { startResponses } from './lib/responses.js';
import { conversation, endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace, type Workspace } from './lib/workspace.js';

const track = endpoints();
const NOTICE = '[Task #1 completed] hooked';

/** Starts a task that ends only when `release` is called, so the test decides which path finds its notice. */
function gatedStart(ws: Workspace) {
  return {
    start: (input: Parameters<typeof bgbashTool>[0]) => ({
      calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'until [ -e go ]; do sleep 0.05; done; echo codex-hook-marker', background: true, name: 'hooked' } }],
    }),
    release: async (): Promise<void> => {
      fs.writeFileSync(path.join(ws.project, 'go'), '');
      await waitFor(() => noticeWaiting(ws, '1'), 'the notice in the inbox', 30_000);
    },
  };
}

async function setup(ws: Workspace, script: Parameters<typeof startResponses>[0]) {
  const bin = ensureCli('codex-0.169.0');
  const ep = track(await startResponses(script));
  const env = prepareCodex(ws, ep, { mcp: false });
  const out = bgbashInstall(ws, ['codex'], env);
  expect(out).toMatch(/added \[mcp_servers\.bgbash\][\s\S]*added the bgbash hook to hooks\.PostToolUse, hooks\.UserPromptSubmit, hooks\.Stop[\s\S]*trust/);
  return { bin, ep, env };
}

describe('codex-0.169.0 with bgbash install codex', () => {
  it('PostToolUse hook: a notice comes after the next tool call (any tool), as context, once', async () => {
    const ws = workspace({}, { defaultDataDir: true });
    const gate = gatedStart(ws);
    const { bin, ep, env } = await setup(
      ws,
      steps([
        gate.start,
        async () => {
          await gate.release();
          return { calls: [{ name: 'exec_command', input: { cmd: 'true' } }] };
        },
        () => ({ text: 'all done' }),
      ]),
    );
    const run = codexExec(bin, ws, env, 'run hooked', ['--dangerously-bypass-hook-trust']);
    const { code } = await run.done;
    expectScriptOk(ep);
    expect(code, run.stderr()).toBe(0);
    const final = conversation(ep)[2]!;
    const hits = whereIs(final, NOTICE);
    expect(hits.length).toBe(1);
    expect(countIn(final, NOTICE)).toBe(1);
    // A developer message Codex inserts right after the exec_command call (before its output).
    const call = final.parts.findIndex((p) => p.kind === 'tool_call' && p.name === 'exec_command');
    expect(hits[0]).toMatchObject({ index: call + 1, part: { kind: 'system' } });
    console.log(`[where] codex PostToolUse notice: ${hits[0]!.part.kind} part: ${JSON.stringify(hits[0]!.part).slice(0, 200)}`);
    expect(taskRecord(ws, '1')!.state).toBe('done');
  });

  it('Stop hook: a notice waiting when the model ends its turn keeps it going, once', async () => {
    const ws = workspace({}, { defaultDataDir: true });
    const gate = gatedStart(ws);
    const { bin, ep, env } = await setup(
      ws,
      steps([
        gate.start,
        async () => {
          await gate.release();
          return { text: 'Started it.' };
        },
        () => ({ text: 'It completed.' }),
      ]),
    );
    const run = codexExec(bin, ws, env, 'run hooked', ['--dangerously-bypass-hook-trust']);
    const { code } = await run.done;
    expectScriptOk(ep);
    expect(code, run.stderr()).toBe(0);
    const calls = conversation(ep);
    expect(calls.length).toBe(3);
    const final = calls[2]!;
    const hits = whereIs(final, NOTICE);
    expect(hits.length).toBe(1);
    expect(hits[0]!.index).toBeGreaterThan(final.parts.findIndex((p) => p.kind === 'assistant' && p.text === 'Started it.'));
    console.log(`[where] codex Stop notice: ${hits[0]!.part.kind} part: ${JSON.stringify(hits[0]!.part).slice(0, 200)}`);
  });
});
