/** Claude Code `-p` (print mode) with bgbash as a plain MCP server. */
import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import type { Endpoint } from './lib/http.js';
import { bgbashTool, countIn, lastPart, whereIs, type ModelInput } from './lib/model.js';
import { workspace } from './lib/workspace.js';

const open: Endpoint[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

/** The conversation's model calls only (Claude Code also sends side requests without tools). */
const main = (inputs: ModelInput[]): ModelInput[] => inputs.filter((i) => i.tools.length > 0);

describe.each(['claude-2.1.330', 'claude-2.1.197'] as const)('%s print mode', (id) => {
  it('piggy-back: a task that ended comes in the next bgbash tool result, once', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    let step = 0;
    const ep = await startAnthropic((input) => {
      if (input.tools.length === 0) return { text: 'ok' };
      step++;
      if (step === 1) return { calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'echo piggy-marker-1; exit 3', background: true, name: 'piggy' } }] };
      if (step === 2) return { calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 1; echo second-call' } }] };
      return { text: 'all done' };
    });
    open.push(ep);
    const run = claudePrint(bin, ws, ep, 'run the piggy test');
    const { code } = await run.done;
    expect(ep.errors).toEqual([]);
    expect(code, run.stderr()).toBe(0);
    const calls = main(ep.inputs);
    expect(calls.length).toBe(3);
    const final = calls[2]!;
    const last = lastPart(final);
    expect(last?.kind).toBe('tool_result');
    // The notice sits in the second call's result, and nowhere else.
    const hits = whereIs(final, '[Task #1 failed]');
    expect(hits.map((h) => h.index)).toEqual([final.parts.length - 1]);
    expect(countIn(final, '[Task #1 failed]')).toBe(1);
  });
});
