/**
 * Claude Code with plugins/claude-code loaded (`--plugin-dir`): its tools are
 * mcp__plugin_bgbash_bgbash__*, its hooks run `bgbash hook claude-code`.
 * Interactive app in tmux: an idle session wakes with the notice. Print mode:
 * a background start is never held, and a session whose tasks still run does
 * not end silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startAnthropic } from './lib/anthropic.js';
import { ClaudeTui, claudePrint } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { bgbashTool, countIn, lastPart, whereIs } from './lib/model.js';
import { sinceEnd, taskRecord } from './lib/records.js';
import { conversation, endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();

describe.each(['claude-2.1.197', 'claude-2.1.330'] as const)('%s with the plugin', (id) => {
  it('interactive: an idle session wakes with the notice, once (Stop asyncRewake hook)', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(
      await startAnthropic(
        steps([
          (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'until [ -e go ]; do sleep 0.05; done; echo wake-marker', background: true, name: 'waker' } }] }),
          () => ({ text: 'Started it; I will wait.' }),
          () => ({ text: 'It finished.' }),
        ]),
      ),
    );
    const tui = new ClaudeTui(bin, ws, ep, { plugin: true });
    try {
      await tui.prompt('start the waker');
      // The turn is over and the wake hook waits in the background: only now does the task end.
      await waitFor(() => fs.existsSync(ws.dataDir + '/run') && fs.readdirSync(ws.dataDir + '/run').some((f) => f.startsWith('wake-')), 'the wake hook to be waiting', 90_000);
      expect(conversation(ep).length).toBe(2);
      fs.writeFileSync(path.join(ws.project, 'go'), '');
      const woken = await waitFor(() => conversation(ep)[2], 'the session to wake with a new turn', 90_000, 50);
      expectScriptOk(ep);
      const notice = '[Task #1 completed] waker';
      const last = lastPart(woken)!;
      expect(last.kind).toBe('user');
      expect(whereIs(woken, notice).map((h) => h.index)).toEqual([woken.parts.length - 1]);
      expect(countIn(woken, notice)).toBe(1);
      expect(last.kind === 'user' && last.text).toContain('wake-marker');
      console.log(`[measure] ${id} interactive plugin wake: ${sinceEnd(ws, '1', woken.at)} ms from task end to the woken request`);
      // Once: no later request carries it again.
      await new Promise((r) => setTimeout(r, 1500));
      expect(ep.inputs.slice(woken.seq + 1).filter((i) => countIn(i, notice) > countIn(woken, notice))).toEqual([]);
    } finally {
      tui.kill();
    }
  });

  it('print mode: a background start returns at once, never held by a hook', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(
      await startAnthropic(
        steps([
          (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 30', background: true, name: 'long' } }] }),
          (input) => ({ calls: [{ name: bgbashTool(input, 'task_cancel'), input: { task_id: '1' } }] }),
          () => ({ text: 'done' }),
        ]),
      ),
    );
    const run = claudePrint(bin, ws, ep, 'start the long one', { plugin: true });
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    expectScriptOk(ep);
    const [start, next] = conversation(ep);
    // The tool result came back while the task still ran: nothing waited for it to end.
    expect(taskRecord(ws, '1')!.state).toBe('cancelled');
    expect(lastPart(next!)?.kind).toBe('tool_result');
    console.log(`[measure] ${id} print plugin: background start round trip ${next!.at - start!.at} ms (model answer → next request, incl. the PostToolUse hook)`);
  });

  it('print mode: the model ending its turn while a task runs is told to wait, and the task completes', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    const ep = track(
      await startAnthropic(
        steps([
          // It runs until the model, told to wait, lets it finish: no race with a slow machine.
          (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'until [ -e go ]; do sleep 0.1; done; echo held-marker', background: true, name: 'held' } }] }),
          () => ({ text: 'Started; bye.' }),
          (input) => {
            fs.writeFileSync(path.join(ws.project, 'go'), '');
            return { calls: [{ name: bgbashTool(input, 'task_status'), input: { task_id: '1', wait: 60 } }] };
          },
          () => ({ text: 'It completed.' }),
        ]),
      ),
    );
    const run = claudePrint(bin, ws, ep, 'run held', { plugin: true });
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    expectScriptOk(ep);
    const calls = conversation(ep);
    expect(calls.length).toBe(4);
    const held = calls[2]!;
    const last = lastPart(held)!;
    expect(last.kind).toBe('user');
    expect(last.kind === 'user' && last.text).toMatch(/still running[\s\S]*#1 running — held[\s\S]*task_status \{task_id: "1", wait: 60\}/);
    expect(lastPart(calls[3]!)?.kind === 'tool_result' && lastPart(calls[3]!)).toMatchObject({ text: expect.stringContaining('held-marker') });
    expect(taskRecord(ws, '1')!.state).toBe('done');
  });

  it('print mode, notices.holdPrintStop = 0: the session ends and its task is cancelled with it', async () => {
    const bin = ensureCli(id);
    const ws = workspace({ BGBASH_HOLD_PRINT_STOP: '0' });
    const ep = track(
      await startAnthropic(
        steps([(input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 30', background: true, name: 'left' } }] }), () => ({ text: 'bye' })]),
      ),
    );
    const run = claudePrint(bin, ws, ep, 'start and leave', { plugin: true });
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
    expectScriptOk(ep);
    expect(conversation(ep).length).toBe(2);
    const rec = await waitFor(() => {
      const r = taskRecord(ws, '1');
      return r && r.state !== 'running' ? r : null;
    }, 'the task to be closed', 30_000);
    expect(rec).toMatchObject({ state: 'cancelled', error: 'the agent session ended', termination: { reason: 'cancelled', by: 'session end' } });
  });
});
