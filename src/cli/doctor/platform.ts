/**
 * `bgbash doctor`'s lines about this platform (issue 24 item 6): what it
 * lacks and what bgbash does instead — the process table (/proc, or ps and
 * lsof), the shell the tasks get (bash before 4.4 keeps no shell state), and
 * native Windows (not supported: WSL is). A platform that lacks nothing
 * (Linux with /proc, bash >= 4.4) gets no line: `platformChecks` is empty.
 */
import { spawnSync } from 'node:child_process';
import { processTable, TABLE_VAR } from '../../run/process-table.js';
import { shellFor } from '../../run/shell.js';
import { check, type Check } from './check.js';

/** Whether a program answers at all (found on PATH and runs). */
function runs(file: string, args: string[]): boolean {
  const r = spawnSync(file, args, { stdio: 'ignore', timeout: 5000 });
  return !r.error;
}

export function platformCheck(platform: NodeJS.Platform = process.platform): Check {
  if (platform === 'win32') {
    return check('platform', 'fail', 'native Windows is not supported yet: tasks need a POSIX shell, process groups and signals', 'run bgbash under WSL (a Linux): install Node.js 20+ there and run the agent in WSL too');
  }
  const table = processTable();
  if (table.kind === 'proc') return check('process table', 'ok', 'Linux /proc: task trees, escaped daemons by their marker, waiting for input, listening ports');
  const why = process.env[TABLE_VAR] === 'ps' ? `${TABLE_VAR}=ps` : 'no /proc here';
  const lacks = [
    'waiting for input (task_status says "unknown")',
    ...(platform === 'darwin' ? ['session ids (a task is its process tree, group and marker)'] : []),
    'the spawner (the server starts tasks itself)',
    'task cgroups (a process that clears BGBASH_TASK and leaves the task\'s group escapes)',
  ];
  if (!runs('ps', ['-p', String(process.pid), '-o', 'pid='])) {
    return check('process table', 'fail', `${why}, and \`ps\` does not run: bgbash cannot find or end a task's processes`, 'install ps (procps) and put it on PATH');
  }
  const lsof = runs('lsof', ['-v']);
  const message = `${why}: ps for task trees and markers${lsof ? ', lsof for listening ports' : ''}; not known here: ${lacks.join('; ')}${lsof ? '' : '; listening ports (no lsof)'}`;
  return check('process table', lsof ? 'ok' : 'warn', message, lsof ? undefined : 'install lsof for listening ports and port clashes');
}

/** The lines worth showing here: only what lacks something (or cannot be checked). */
export function platformChecks(): Check[] {
  return [platformCheck(), shellCheck()].filter((c) => c.status !== 'ok' || c.name === 'process table' && processTable().kind === 'ps');
}

/** The bash tasks run with; before 4.4 (macOS's /bin/bash is 3.2) cd/export/unset do not carry to the next call. */
export function shellCheck(shell = shellFor()): Check {
  if (!/(^|\/)bash$/.test(shell)) return check('shell', 'warn', `no bash on PATH: tasks run with ${shell}, and cd/export/unset do not carry to the next call`, 'install bash 4.4 or newer');
  const r = spawnSync(shell, ['-c', 'echo "${BASH_VERSINFO[0]} ${BASH_VERSINFO[1]} $BASH_VERSION"'], { encoding: 'utf8', timeout: 5000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SHLVL: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
  const [major, minor, version] = (r.stdout ?? '').trim().split(' ');
  if (!version) return check('shell', 'warn', `${shell} did not say its version`);
  if (Number(major) > 4 || (Number(major) === 4 && Number(minor) >= 4)) return check('shell', 'ok', `${shell} ${version}: cd, export and unset carry from one call to the next`);
  return check(
    'shell',
    'warn',
    `${shell} ${version} is older than 4.4: commands run unchanged, but cd, export and unset do not carry to the next call (no shell state)`,
    process.platform === 'darwin' ? 'brew install bash, and put its bin first on PATH' : 'install bash 4.4 or newer first on PATH',
  );
}
