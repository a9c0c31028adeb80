/** Small checks the TaskManager makes before a task exists. */
import fs from 'node:fs';
import { UserError } from './errors.js';

/** The runner name of prompts answered by the MCP client's own model. */
export const SAMPLING_RUNNER = 'sampling';

export function checkCwd(cwd: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(cwd);
  } catch {
    throw new UserError(`cwd "${cwd}" does not exist`, 'cwd');
  }
  if (!st.isDirectory()) throw new UserError(`cwd "${cwd}" is not a directory`, 'cwd');
}
