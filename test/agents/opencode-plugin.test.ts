/**
 * opencode with plugins/opencode/bgbash.js loaded, in `opencode serve` (a
 * session outlives its turn there, as in the TUI): an idle session starts a
 * new turn with the notice; a busy one gets it inserted with noReply, seen at
 * the model's next step, without an extra turn.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startChat } from './lib/chat.js';
import { ensureCli } from './lib/clis.js';
import { gate } from './lib/gate.js';
import { lastPart } from './lib/model.js';
import { OpencodeServer, prepareOpencode } from './lib/opencode.js';
import { sinceEnd, taskRecord } from './lib/records.js';
import { conversation, endpoints, expectScriptOk, onlyHit, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();
const NOTICE = '[Task #1 completed] waker';

describe('opencode-1.18.33 serve with the bgbash plugin', () => {
  it('idle: the task ending starts a new turn with the notice, once', async () => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const g = gate(ws, 'waker', 'wake-marker');
    const ep = track(await startChat(steps([g.start, () => ({ text: 'Started it; I will wait.' }), () => ({ text: 'It finished.' })], { side: { text: 'Waker' } })));
    const oc = await OpencodeServer.start(bin, ws, prepareOpencode(ws, ep, { plugin: true }));
    try {
      const session = await oc.newSession();
      await oc.prompt(session, 'start the waker');
      await waitFor(() => conversation(ep).length === 2, 'the model to end its turn', 180_000);
      await waitFor(async () => !(await oc.busy(session)), 'the session to be idle', 60_000);
      expect(taskRecord(ws, '1')?.state).toBe('running');
      g.open();
      const woken = await waitFor(() => conversation(ep)[2], 'the session to wake with a new turn', 90_000, 50);
      expectScriptOk(ep);
      // The notice is the new user message, the last part of the model's input, and there once.
      const last = lastPart(woken)!;
      expect(last.kind).toBe('user');
      expect(onlyHit(woken, NOTICE).index).toBe(woken.parts.length - 1);
      expect(last.kind === 'user' && last.text).toContain('wake-marker');
      console.log(`[measure] opencode plugin idle wake: ${sinceEnd(ws, '1', woken.at)} ms from task end to the woken request`);
      // Once: the turn it started ends, and nothing brings it again.
      await waitFor(async () => !(await oc.busy(session)), 'the woken turn to end', 60_000);
      expect(conversation(ep).length).toBe(3);
    } finally {
      oc.stop();
    }
  });

  it('busy: the notice is inserted without a new turn and the model reads it at its next step, once', async () => {
    const bin = ensureCli('opencode-1.18.33');
    const ws = workspace();
    const g = gate(ws, 'waker', 'wake-marker');
    let oc: OpencodeServer | undefined;
    let session = '';
    const ep = track(
      await startChat(
        steps(
          [
            g.start,
            async () => {
              // Mid-turn: the task ends, and the plugin adds its notice to the session before the model answers.
              g.open();
              await waitFor(async () => (await oc!.messages(session)).some((m) => m.role === 'user' && m.text.includes(NOTICE)), 'the plugin to insert the notice', 60_000);
              return { calls: [{ name: 'bash', input: { command: 'true', description: 'Does nothing' } }] };
            },
            () => ({ text: 'Noted.' }),
          ],
          { side: { text: 'Waker' } },
        ),
      ),
    );
    oc = await OpencodeServer.start(bin, ws, prepareOpencode(ws, ep, { plugin: true }));
    try {
      session = await oc.newSession();
      await oc.prompt(session, 'start the waker');
      await waitFor(() => conversation(ep).length === 3, 'the model’s next step', 180_000);
      await waitFor(async () => !(await oc!.busy(session)), 'the turn to end', 60_000);
      expectScriptOk(ep);
      const next = conversation(ep)[2]!;
      // A user message of its own after the step's tool result: the last part of the model's input.
      const hit = onlyHit(next, NOTICE);
      expect(hit).toMatchObject({ index: next.parts.length - 1, part: { kind: 'user' } });
      expect(next.parts[hit.index - 1]).toMatchObject({ kind: 'tool_result', name: 'bash' });
      // No extra turn: the turn that was running is the only one.
      expect(conversation(ep).length).toBe(3);
    } finally {
      oc.stop();
    }
  });
});
