/**
 * Scenarios that read the same for every CLI: the model's script and what
 * must then be true of the model's input. Each CLI's test file runs them
 * through its own endpoint and driver.
 */
import { expect } from 'vitest';
import type { Endpoint } from './http.js';
import { bgbashTool, countIn, lastPart, whereIs, type ModelInput } from './model.js';
import { conversation, expectScriptOk, steps } from './scenario.js';
import type { Script } from './model.js';

/** The notice bgbash writes for the piggy-back task (#1, exit 3). */
export const PIGGY_NOTICE = '[Task #1 failed]';

/**
 * Piggy-back: the model starts a background task that fails at once, then
 * runs a 1 s foreground command; the task's notice must come appended to
 * that second result.
 */
export function piggyBackScript(isMain?: (i: ModelInput) => boolean): Script {
  return steps(
    [
      (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'echo piggy-marker-1; exit 3', background: true, name: 'piggy' } }] }),
      (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 1; echo second-call' } }] }),
      () => ({ text: 'all done' }),
    ],
    { isMain },
  );
}

/** The notice sits in the last tool result of the final call, and appears nowhere else in it. */
export function expectPiggyBack(ep: Endpoint, isMain?: (i: ModelInput) => boolean): void {
  expectScriptOk(ep);
  const calls = conversation(ep, isMain);
  expect(calls.length).toBe(3);
  const final = calls[2]!;
  expect(lastPart(final)?.kind).toBe('tool_result');
  expect(whereIs(final, PIGGY_NOTICE).map((h) => h.index)).toEqual([final.parts.length - 1]);
  expect(countIn(final, PIGGY_NOTICE)).toBe(1);
}
