/**
 * Scenarios that read the same for every CLI: the model's script and what
 * must then be true of the model's input. Each CLI's test file runs them
 * through its own endpoint and driver.
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Endpoint } from './http.js';
import { bgbashTool, countIn, lastPart, whereIs, type ModelInput } from './model.js';
import { conversation, expectScriptOk, steps } from './scenario.js';
import type { Script } from './model.js';
import type { Workspace } from './workspace.js';

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

/**
 * Shell state: the model `cd`s into a subfolder in one bash call and runs a
 * relative command in the next, as in a terminal. `project` is the folder the
 * CLI (and so the bgbash server it starts) runs in.
 */
export function shellStateScript(isMain?: (i: ModelInput) => boolean): Script {
  return steps(
    [
      (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'mkdir -p pkg/sub && printf "shell-state-marker\\n" > pkg/sub/marker.txt && cd pkg/sub && export STORY_VAR=kept' } }] }),
      (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'cat marker.txt; echo "in $(pwd) with $STORY_VAR"' } }] }),
      () => ({ text: 'all done' }),
    ],
    { isMain },
  );
}

/** The second call ran in the subfolder with the exported variable: its result shows both. */
export function expectShellState(ep: Endpoint, project: string, isMain?: (i: ModelInput) => boolean): void {
  expectScriptOk(ep);
  const calls = conversation(ep, isMain);
  expect(calls.length).toBe(3);
  const result = lastPart(calls[2]!);
  expect(result?.kind).toBe('tool_result');
  const text = result && result.kind === 'tool_result' ? result.text : '';
  expect(text).toContain('shell-state-marker');
  expect(text).toContain(`in ${fs.realpathSync(project)}/pkg/sub with kept`);
}

/** A story every CLI's test file runs the same way: its title, the user's prompt, the model's script, the check. */
export interface Story {
  title: string;
  prompt: string;
  script: () => Script;
  check: (ep: Endpoint, ws: Workspace) => void;
}

export const STORIES: Story[] = [
  { title: 'piggy-back: a task that ended comes in the next bgbash tool result, once', prompt: 'run the piggy test', script: () => piggyBackScript(), check: (ep) => expectPiggyBack(ep) },
  {
    title: 'shell state: cd into a subfolder in one call, a relative command in the next',
    prompt: 'run the shell state test',
    script: () => shellStateScript(),
    check: (ep, ws) => expectShellState(ep, ws.project),
  },
];
