/**
 * Trust in a project's config file. bgbash runs in whatever repository an
 * agent works in, and a cloned repository's ./bgbash.config.json was written
 * by someone else: it may set only what can neither run code nor send data
 * nor touch the user's other data — limits, timeouts, output and terminal
 * settings. The rest (runners, deliver targets of every kind, http.*, the
 * data dir, the session, retention) needs the project to be trusted in the
 * user's own config (`trustedProjects`, written by `bgbash trust`); until
 * then those keys are named in a warning and ignored.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What an untrusted project may set: section → its keys ('*': all of them). */
const SAFE: Record<string, readonly string[] | '*'> = {
  background: ['maxConcurrentTasks', 'taskTimeout', 'killGrace', 'killLeftovers', 'defaultRunner'],
  foreground: '*',
  output: '*',
  terminal: '*',
  input: '*',
  notices: '*',
};

/** The directory a path really is (symlinks resolved), or the path itself when it does not exist. */
export function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Whether the user's config lists the directory holding `projectFile`. */
export function isTrustedProject(projectFile: string, trusted: readonly string[]): boolean {
  const dir = realDir(path.dirname(projectFile));
  return trusted.some((t) => realDir(t) === dir);
}

/**
 * Splits an untrusted project config into what it may set and the keys it
 * may not (dotted names). Keys bgbash does not know at all are kept, so the
 * schema still reports a typo as an unknown key. `known(section)` lists a
 * section's keys; it is empty for a section bgbash does not have.
 */
export function untrustedPart(project: Record<string, unknown>, known: (section: string) => readonly string[] | null): { kept: Record<string, unknown>; ignored: string[] } {
  const kept: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [section, value] of Object.entries(project)) {
    const safe = SAFE[section];
    const keys = known(section);
    if (keys === null || safe === '*') kept[section] = value;
    else if (safe && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const part: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (safe.includes(key) || !keys.includes(key)) part[key] = v;
        else ignored.push(`${section}.${key}`);
      }
      kept[section] = part;
    } else ignored.push(section);
  }
  return { kept, ignored };
}

export function untrustedWarning(projectFile: string, ignored: readonly string[]): string {
  return (
    `ignoring ${ignored.join(', ')} from ${projectFile}: a project's config may set those only once you trust it ` +
    `(run \`bgbash trust\` in ${path.dirname(projectFile)} if you wrote it or have read it)`
  );
}
