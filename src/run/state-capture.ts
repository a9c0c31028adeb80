/**
 * Capturing what a shell changed by the time it ends: its working directory
 * and the exported variables it set, changed or unset, written by an EXIT
 * trap to a file beside the task's logs (never to the output, which stays
 * byte for byte what the command printed).
 *
 * The trap comes from a prelude bash sources through BASH_ENV before it reads
 * the command, so the command string itself is untouched: bash parses,
 * numbers and reports its lines exactly as before. The prelude notes the
 * exported variables the shell starts with; the trap writes only the
 * difference, so what the shell was given (the server's environment here,
 * the login environment on an ssh host) never reads as something the agent
 * exported. This is the one place that tells "changed" from "given".
 *
 * The prelude unsets BASH_ENV and its own variable at once, so nothing the
 * command starts sources it again or sees them. The trap runs however the
 * shell ends — the last command, `exit N`, `set -e`, a failing chain — and
 * only in the shell itself (subshells compare $BASHPID with $$). It uses
 * builtins only (no fork): variables are listed with "${!A@}" … "${!_@}" and
 * kept when their attributes include x (exported), and written with one printf.
 * Not captured, and the caller keeps the state it had: a command that set its
 * own EXIT trap, replaced the shell with `exec`, or was killed; bash before
 * 4.4 (macOS's /bin/bash is 3.2), which the prelude checks for with bash 3.2's
 * own means and then leaves alone: not one byte of output more.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataPaths } from '../store/data-dir.js';
import { taskFile } from '../store/task-files.js';

/** Variables the capture adds to the shell's environment (the prelude removes them). */
export const CAPTURE_VARS = ['BASH_ENV', 'BGBASH_STATE_FILE'] as const;

/** Where a task's captured state goes: beside its record and logs. */
export function stateFileFor(dataDir: string, taskId: string): string {
  return taskFile(dataPaths(dataDir), taskId, 'shellState');
}

/** Where the prelude file lives: the data dir's run/ (user-only). */
export function preludeDirFor(dataDir: string): string {
  return dataPaths(dataDir).run;
}

/** Only bash has the pieces the trap needs ($BASHPID, ${!prefix@}, ${var@a}, BASH_ENV; the prelude checks the version). */
export function canCapture(shell: string, env: Record<string, string>): boolean {
  // A BASH_ENV of the user's own is theirs to keep: no capture then.
  return path.basename(shell) === 'bash' && env.BASH_ENV === undefined;
}

const PREFIXES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'].map((c) => `"\${!${c}@}"`).join(' ');
/** True for a variable exported with a scalar value (arrays cannot be exported; `export X` alone has none). */
const EXPORTED = '[[ ${!__bgbash_v@a} == *x* && ${!__bgbash_v@a} != *[aA]* && -v $__bgbash_v ]]';

// The trap turns off the command's xtrace/nounset/errexit first (its own
// `set` hidden from xtrace) so it neither prints nor stops half way; the
// shell is exiting, so that changes nothing else. Entries: the directory,
// then NAME=value for a variable set or changed, NAME alone for one unset.
/** The capture itself: bash >= 4.4 (declare -A 4.0, [[ -v ]] 4.2, ${var@a} 4.4, $BASHPID 4.0). */
export const CAPTURE_BODY = `builtin declare -A __bgbash_given
for __bgbash_v in ${PREFIXES}; do
  ${EXPORTED} && __bgbash_given[$__bgbash_v]=\${!__bgbash_v}
done
builtin unset __bgbash_v
__bgbash_state() {
  [ "$BASHPID" = "$$" ] || return 0
  local __bgbash_v __bgbash_a=("$PWD")
  for __bgbash_v in ${PREFIXES}; do
    if ${EXPORTED}; then
      [[ -v __bgbash_given[$__bgbash_v] && \${__bgbash_given[$__bgbash_v]} == "\${!__bgbash_v}" ]] || __bgbash_a+=("$__bgbash_v=\${!__bgbash_v}")
      builtin unset '__bgbash_given[$__bgbash_v]'
    fi
  done
  __bgbash_a+=("\${!__bgbash_given[@]}")
  builtin printf '%s\\0' "\${__bgbash_a[@]}" 2>/dev/null >"$__bgbash_state_file"
}
builtin trap '{ builtin set +eux; } 2>/dev/null; __bgbash_state' EXIT
`;

/** bash 4.4 or later, asked with what bash 3.2 (macOS's /bin/bash) has: BASH_VERSINFO and [ ]. */
export const VERSION_CHECK = '[ "${BASH_VERSINFO[0]}" -gt 4 ] || { [ "${BASH_VERSINFO[0]}" -eq 4 ] && [ "${BASH_VERSINFO[1]}" -ge 4 ]; }';

/** A single-quoted shell word. */
const quoted = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * What BASH_ENV sources. An older bash parses and runs only the lines
 * outside the quoted body (test/run/state-capture.test.ts lists the bash >= 4
 * constructs they must not contain): it drops the capture's variables and
 * runs the command without capture, printing nothing; the caller keeps the
 * state it had.
 */
export const PRELUDE = `# bgbash: saves the shell's working directory and exported variables when it exits.
__bgbash_state_file=$BGBASH_STATE_FILE
builtin unset BASH_ENV BGBASH_STATE_FILE
if ${VERSION_CHECK}; then
  builtin eval ${quoted(CAPTURE_BODY)}
else
  builtin unset __bgbash_state_file
fi
`;

/** Prelude files written by this process, by directory (tasks only read them). */
const written = new Map<string, string>();
const PRELUDE_NAME = `shell-prelude-${crypto.createHash('sha256').update(PRELUDE).digest('hex').slice(0, 12)}.bash`;

/**
 * The prelude's file in `dir` (the data dir's run/, user-only), written once
 * per process — not per call: a file created per task was most of the
 * capture's cost. Named by its content, so servers of other versions sharing
 * the data dir each have their own. Null when it cannot be written.
 */
export function preludeFile(dir: string): string | null {
  const file = path.join(dir, PRELUDE_NAME);
  if (written.get(dir) === file && fs.existsSync(file)) return file;
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, PRELUDE, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    return null;
  }
  written.set(dir, file);
  return file;
}

/**
 * Environment that makes bash capture its state into `stateFile` at exit, or
 * null when the prelude cannot be written in `runDir` (disk full, read-only
 * data dir): the command then runs as it would without, and keeps no state.
 */
export function captureEnv(runDir: string, stateFile: string, env: Record<string, string>): Record<string, string> | null {
  const prelude = preludeFile(runDir);
  if (!prelude) return null;
  return {
    BASH_ENV: prelude,
    BGBASH_STATE_FILE: stateFile,
    // bash takes a top-level shell (SHLVL unset) whose stdin is a socket — Node's
    // pipes are socketpairs — for one run by rshd, and then reads ~/.bashrc
    // instead of BASH_ENV (shell.c, run_startup_files). A level keeps BASH_ENV.
    ...(env.SHLVL === undefined ? { SHLVL: '1' } : {}),
  };
}

/** What the shell changed: where it ended, and its exported variables set or changed, and unset. */
export interface CapturedState {
  cwd: string;
  set: Map<string, string>;
  unset: string[];
}

/** Parses what the trap wrote ("cwd\0NAME=value\0…NAME\0…"), or null when it is not a whole capture. */
export function parseCapture(buf: Buffer): CapturedState | null {
  // Written whole by a shell that ended normally; a file that does not end in NUL was cut short.
  if (buf.length === 0 || buf[buf.length - 1] !== 0) return null;
  const parts = buf.subarray(0, buf.length - 1).toString('utf8').split('\0');
  const cwd = parts.shift()!;
  if (!cwd.startsWith('/')) return null;
  const set = new Map<string, string>();
  const unset: string[] = [];
  for (const entry of parts) {
    const eq = entry.indexOf('=');
    if (eq > 0) set.set(entry.slice(0, eq), entry.slice(eq + 1));
    else if (eq < 0 && entry) unset.push(entry);
  }
  return { cwd, set, unset };
}

/** Reads what the trap wrote, or null when it wrote nothing usable. Removes the file. */
export function readCapture(stateFile: string): CapturedState | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(stateFile);
    fs.rmSync(stateFile, { force: true });
  } catch {
    return null;
  }
  return parseCapture(buf);
}
