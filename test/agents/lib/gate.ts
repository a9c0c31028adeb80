/**
 * A background bgbash task that ends only when the test says so (it waits for
 * a file `go` in the project folder), so a scenario decides which path finds
 * its notice: while the model is mid-turn, after it went idle, …
 */
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../helpers/wait.js';
import { bgbashTool, type ModelInput, type Turn } from './model.js';
import { noticeWaiting } from './records.js';
import type { Workspace } from './workspace.js';

export interface Gate {
  /** The model's turn that starts it (task #1 in a fresh workspace): `bash` in the background, named `name`. */
  start: (input: ModelInput) => Turn;
  /** Lets the task end now. */
  open: () => void;
  /** Lets it end and waits until its notice is in the inbox, for a hook or a piggy-back to find. */
  release: () => Promise<void>;
  /** A model step that releases it (and waits for its notice in the inbox), then answers `turn`. */
  releaseThen: (turn: Turn) => () => Promise<Turn>;
  /** The notice's first line as bgbash writes it. */
  notice: string;
}

export function gate(ws: Workspace, name: string, marker = `${name}-marker`): Gate {
  const open = (): void => fs.writeFileSync(path.join(ws.project, 'go'), '');
  const release = async (): Promise<void> => {
    open();
    await waitFor(() => noticeWaiting(ws, '1'), 'the notice in the inbox', 60_000);
  };
  return {
    start: (input) => ({
      calls: [{ name: bgbashTool(input, 'bash'), input: { command: `until [ -e go ]; do sleep 0.05; done; echo ${marker}`, background: true, name } }],
    }),
    open,
    release,
    releaseThen: (turn) => async () => {
      await release();
      return turn;
    },
    notice: `[Task #1 completed] ${name}`,
  };
}
