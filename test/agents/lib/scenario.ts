/** Building blocks every scenario uses: endpoints closed after each test, and scripts as a list of steps. */
import { afterEach, expect } from 'vitest';
import type { Endpoint } from './http.js';
import { countIn, whereIs, type ModelInput, type Part, type Script, type Turn } from './model.js';
import type { Run } from './run.js';

/** Registers afterEach cleanup; call `track(endpoint)` for each endpoint a test starts. */
export function endpoints(): (e: Endpoint) => Endpoint {
  const open: Endpoint[] = [];
  afterEach(async () => {
    for (const e of open.splice(0)) await e.close();
  });
  return (e) => {
    open.push(e);
    return e;
  };
}

/** A model call that offers bgbash's tools: the conversation, once the CLI has connected to bgbash. */
export const offersBgbash = (i: ModelInput): boolean => i.tools.some((t) => /bgbash/i.test(t));

/**
 * Some CLIs (Codex 0.169, Claude Code 2.1.197) send the first model call
 * before their MCP servers are connected, and a loaded machine makes bgbash's
 * start slow. Then the model does what a real one would: it waits, with the
 * CLI's own tool, and asks again.
 */
export function waitForBgbash(input: ModelInput): Turn {
  if (input.tools.includes('WaitForMcpServers')) return { calls: [{ name: 'WaitForMcpServers', input: {} }] };
  if (input.tools.includes('exec_command')) return { calls: [{ name: 'exec_command', input: { cmd: 'sleep 1' } }] };
  if (input.tools.includes('Bash')) return { calls: [{ name: 'Bash', input: { command: 'sleep 1' } }] };
  if (input.tools.includes('run_shell_command')) return { calls: [{ name: 'run_shell_command', input: { command: 'sleep 1' } }] };
  if (input.tools.includes('bash')) return { calls: [{ name: 'bash', input: { command: 'sleep 1', description: 'Waits a second' } }] };
  throw new Error(`bgbash's tools are missing and there is no way to wait for them among ${input.tools.join(', ') || '(no tools)'}`);
}

/**
 * A script that answers the conversation's model calls with `list` in order
 * (then "done" for any further call). Calls with tools but without bgbash's
 * wait for bgbash to connect; side requests without tools (titles, JSON
 * checks) get `side`.
 */
export function steps(list: Array<(input: ModelInput) => Turn | Promise<Turn>>, opts: { isMain?: (i: ModelInput) => boolean; side?: Turn } = {}): Script {
  const isMain = opts.isMain ?? offersBgbash;
  let next = 0;
  return (input) => {
    if (!isMain(input)) return input.tools.length > 0 && next === 0 ? waitForBgbash(input) : (opts.side ?? { text: 'ok' });
    const step = list[next++];
    return step ? step(input) : { text: 'done' };
  };
}

/** The conversation's model calls among everything an endpoint logged. */
export function conversation(ep: Endpoint, isMain: (i: ModelInput) => boolean = offersBgbash): ModelInput[] {
  return ep.inputs.filter(isMain);
}

/** Fails the test if the script threw (the CLI then got an HTTP 500 and the scenario's story is void). */
export function expectScriptOk(ep: Endpoint): void {
  expect(ep.errors.map(String)).toEqual([]);
}

/** Waits for the CLI to exit, then fails the test if the script threw or the CLI did not exit 0. */
export async function expectCleanExit(run: Run, ep: Endpoint): Promise<void> {
  const { code } = await run.done;
  expectScriptOk(ep);
  expect(code, run.stderr() + run.stdout()).toBe(0);
}

/** The one part of `input` that holds `needle`, which occurs there once: exactly-once checks. */
export function onlyHit(input: ModelInput, needle: string): { index: number; part: Part } {
  const hits = whereIs(input, needle);
  expect(hits.length, `parts holding ${needle}`).toBe(1);
  expect(countIn(input, needle), `occurrences of ${needle}`).toBe(1);
  return hits[0]!;
}
