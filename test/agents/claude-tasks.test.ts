/**
 * Claude Code 2.1.330, interactive, bgbash as a plain MCP server (no plugin,
 * so no hook can wake it): it opens with `server/discover`, speaks 2026-07-28
 * and declares the tasks extension, so a background `bash` comes back as a
 * task handle. Claude Code polls `tasks/get`; when the task ends it wakes the
 * idle session with a <task-notification> carrying our notice.
 * Asserted: a handle was given out (the extension's path, not the 2025
 * fallback), each task's notice wakes the idle session once, in a new turn,
 * and no later request carries it again. The latency (task end → the woken
 * model request) is printed for the README and the closing note.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startAnthropic } from './lib/anthropic.js';
import { ClaudeTui } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { bgbashTool, countIn, lastPart, type ModelInput } from './lib/model.js';
import { sinceEnd } from './lib/records.js';
import { conversation, endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();
/** Ends when its `go` file appears: only once the session is idle. */
const waker = (n: number): string => `until [ -e go${n} ]; do sleep 0.05; done; echo wake-marker-${n}`;
const notice = (n: number): string => `[Task #${n} completed] waker${n}`;

describe('claude-2.1.330 interactive, tasks extension', () => {
  it('an idle session wakes with the notice of each task that ends, once', async () => {
    const bin = ensureCli('claude-2.1.330');
    const ws = workspace();
    const start = (n: number) => (input: ModelInput) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: waker(n), background: true, name: `waker${n}` } }] });
    const ep = track(
      await startAnthropic(
        steps([
          start(1),
          () => ({ text: 'Started waker1; I will wait.' }),
          // Woken by task 1: start another, and go idle again.
          start(2),
          () => ({ text: 'Started waker2; I will wait.' }),
          () => ({ text: 'Both finished.' }),
        ]),
      ),
    );
    const tui = new ClaudeTui(bin, ws, ep, { toolSearch: false });
    try {
      await tui.prompt('start waker1 in the background');
      const latencies: number[] = [];
      for (const [n, turnsBefore] of [
        [1, 2],
        [2, 4],
      ] as const) {
        // The turn that started task n is over: the session is idle.
        await waitFor(() => conversation(ep).length >= turnsBefore, `the turn that started task ${n} to end`, 120_000);
        expect(conversation(ep).length).toBe(turnsBefore);
        // The tasks extension's path: bgbash gave out a handle for it (the 2025 fallback has none).
        expect(fs.existsSync(path.join(ws.dataDir, 'mcp-tasks', `${n}.json`)), `a task handle for task ${n}`).toBe(true);
        fs.writeFileSync(path.join(ws.project, `go${n}`), '');
        const woken = await waitFor(() => conversation(ep)[turnsBefore], `the idle session to wake for task ${n}`, 60_000, 20);
        latencies.push(sinceEnd(ws, String(n), woken.at));
        expect(countIn(woken, notice(n))).toBe(1);
        expect(countIn(woken, 'task-notification')).toBeGreaterThanOrEqual(1);
        expect(countIn(woken, `wake-marker-${n}`)).toBeGreaterThanOrEqual(1);
        expect(lastPart(woken)?.kind).toBe('user');
      }
      await waitFor(() => conversation(ep).length >= 5, 'the last turn', 60_000);
      expectScriptOk(ep);
      // Once: a later request carries each notice no more often than the one it woke.
      const calls = conversation(ep);
      for (const [n, woke] of [
        [1, 2],
        [2, 4],
      ] as const) {
        for (const later of calls.slice(woke + 1)) expect(countIn(later, notice(n)), `notice ${n} in a later request`).toBeLessThanOrEqual(countIn(calls[woke]!, notice(n)));
      }
      console.log(`[measure] claude-2.1.330 tasks-extension idle wake: ${latencies.join(' ms, ')} ms from task end to the woken request`);
    } finally {
      tui.kill();
    }
  });
});
