/**
 * Claude Code's PostToolUse and UserPromptSubmit hooks running `bgbash hook
 * claude-code`, in print mode (which never declares the tasks extension):
 * where a waiting notice lands in the model's input, and that it is there once.
 * PostToolUse comes from the plugin as shipped; UserPromptSubmit from the
 * hooks `bgbash install claude-code` writes to settings.json, without the
 * plugin's wake hook (which would deliver an idle session's notice first).
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint, claudeStream } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { gate } from './lib/gate.js';
import { taskRecord } from './lib/records.js';
import { conversation, endpoints, expectCleanExit, expectScriptOk, onlyHit, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();
const HOOK = { type: 'command', command: 'bgbash hook claude-code', timeout: 10 };

describe.each(['claude-2.1.197', 'claude-2.1.330'] as const)('%s hooks', (id) => {
  it('PostToolUse (plugin): a notice comes right after the next tool result (any tool), once', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const g = gate(ws, 'posted');
    const ep = track(
      await startAnthropic(
        steps([
          g.start,
          g.releaseThen({ calls: [{ name: 'Bash', input: { command: 'sleep 0', description: 'Does nothing' } }] }),
          () => ({ text: 'all done' }),
        ]),
      ),
    );
    await expectCleanExit(claudePrint(bin, ws, ep, 'run posted', { plugin: true }), ep);
    const final = conversation(ep)[2]!;
    const hit = onlyHit(final, g.notice);
    // The hook's context as a <system-reminder>, the last thing the model reads: 2.1.330 appends it to
    // the Bash result's own text, 2.1.197 adds it as a text block right after that result.
    // The script's Bash call (`sleep 0`), not one made while waiting for bgbash to connect (`sleep 1`).
    const bashCall = final.parts.find((p) => p.kind === 'tool_call' && p.name === 'Bash' && (p.input as { command?: string }).command === 'sleep 0');
    const bashResult = final.parts.findIndex((p) => p.kind === 'tool_result' && bashCall?.kind === 'tool_call' && p.id === bashCall.id);
    expect(hit.index).toBe(final.parts.length - 1);
    expect(hit).toMatchObject(id === 'claude-2.1.330' ? { index: bashResult, part: { kind: 'tool_result' } } : { index: bashResult + 1, part: { kind: 'user' } });
    expect(hit.part.kind !== 'tool_call' && hit.part.text).toMatch(/<system-reminder>\nPostToolUse:Bash hook additional context: bgbash — background tasks that ended since you last heard:\n\n\[Task #1 completed\] posted/);
    expect(taskRecord(ws, '1')!.state).toBe('done');
  });

  it('UserPromptSubmit (settings hooks): a notice that came while idle goes with the next prompt, once', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const g = gate(ws, 'prompted');
    const ep = track(await startAnthropic(steps([g.start, () => ({ text: 'Started it.' }), () => ({ text: 'Noted.' })])));
    const run = claudeStream(bin, ws, ep, { hooks: { UserPromptSubmit: [{ hooks: [HOOK] }] } });
    try {
      run.send('start prompted');
      await waitFor(() => conversation(ep).length === 2, 'the first turn to end', 180_000);
      await g.release();
      run.send('anything new?');
      const next = await waitFor(() => conversation(ep)[2], 'the second prompt’s model call', 120_000);
      run.end();
      await run.done;
      expectScriptOk(ep);
      const hit = onlyHit(next, g.notice);
      // A <system-reminder> block of the new user message, just before the prompt's text.
      const prompt = next.parts.findIndex((p) => p.kind === 'user' && p.text.includes('anything new?'));
      expect(hit).toMatchObject({ index: prompt - 1, part: { kind: 'user' } });
      expect(hit.part.kind === 'user' && hit.part.text).toMatch(/^<system-reminder>\nUserPromptSubmit hook additional context: bgbash — background tasks that ended since you last heard:\n\n\[Task #1 completed\] prompted/);
      expect(hit.index).toBeGreaterThan(conversation(ep)[1]!.parts.length - 1);
    } finally {
      run.kill();
    }
  });
});
