/**
 * The task strip in Claude Code's own footer (issue 23): after
 * `bgbash install claude-code`, the interactive app runs `bgbash strip
 * --status-line` as its status line; once the scripted model has started a
 * background task, Claude's screen shows the strip, and the elapsed time moves
 * on without a new message (`refreshInterval`).
 */
import { describe, expect, it } from 'vitest';
import { startAnthropic } from './lib/anthropic.js';
import { ClaudeTui } from './lib/claude.js';
import { ensureCli } from './lib/clis.js';
import { bgbashInstall } from './lib/install.js';
import { bgbashTool } from './lib/model.js';
import { endpoints, expectScriptOk, steps } from './lib/scenario.js';
import { workspace } from './lib/workspace.js';

const track = endpoints();
const STRIP = /Tasks: 1 running \| strip-check running (\S+)/;

describe.each(['claude-2.1.330', 'claude-2.1.197'] as const)('%s', (id) => {
  it('after bgbash install claude-code, the footer shows the strip while the task the model started runs, and keeps up with it', async () => {
    const bin = ensureCli(id);
    const ws = workspace();
    // The project's settings: the user settings file is the harness's own (permissions, onboarding).
    expect(bgbashInstall(ws, ['claude-code', '--project', '--local'])).toMatch(/^added statusLine \(the bgbash task strip in the footer, refreshed every 2 s\)/m);
    const ep = track(
      await startAnthropic(
        steps([
          (input) => ({ calls: [{ name: bgbashTool(input, 'bash'), input: { command: 'sleep 120', background: true, name: 'strip-check' } }] }),
          () => ({ text: 'Started strip-check in the background.' }),
        ]),
      ),
    );
    const tui = new ClaudeTui(bin, ws, ep);
    try {
      // Before any task: the strip prints nothing, so the footer has no "Tasks:".
      await tui.tmux.waitScreen((s) => /❯|>\s/.test(s) && !/Loading|Starting/.test(s), 'the prompt', 60_000);
      expect(tui.screen()).not.toMatch(/Tasks: \d+ running/);
      await tui.prompt('start strip-check');
      const first = STRIP.exec(await tui.tmux.waitScreen((s) => STRIP.test(s) && /Started strip-check/.test(s), 'the strip in the footer', 90_000))![1];
      // No new message: only refreshInterval re-runs the status line, and the elapsed time moves on.
      await tui.tmux.waitScreen((s) => STRIP.exec(s)?.[1] !== undefined && STRIP.exec(s)![1] !== first, `the elapsed time to move on from ${first}`, 30_000);
      expectScriptOk(ep);
    } finally {
      tui.kill();
    }
  });
});
