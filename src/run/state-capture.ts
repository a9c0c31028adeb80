/**
 * Capturing a shell's state when it ends: its working directory and exported
 * variables, written by an EXIT trap to a file beside the task's logs (never
 * to the output, which stays byte for byte what the command printed).
 *
 * The trap comes from a prelude file that bash sources through BASH_ENV
 * before it reads the command, so the command string itself is untouched:
 * bash parses, numbers and reports its lines exactly as before. The prelude
 * unsets BASH_ENV and its own variable at once, so nothing the command starts
 * sources it again or sees them. The trap runs however the shell ends — the
 * last command, `exit N`, `set -e`, a failing chain — and only in the shell
 * itself (subshells compare $BASHPID with $$). It uses builtins only (no
 * fork): variables are listed with "${!A@}" … "${!_@}" and kept when their
 * attributes include x (exported), and written with one printf.
 * Not captured, and the caller keeps the state it had: a command that set its
 * own EXIT trap, replaced the shell with `exec`, or was killed.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Variables the capture adds to the shell's environment (the prelude removes them). */
export const CAPTURE_VARS = ['BASH_ENV', 'BGBASH_STATE_FILE'] as const;

/** Where a task's captured state goes: beside its record and logs. */
export function stateFileFor(dataDir: string, taskId: string): string {
  return path.join(dataDir, 'tasks', taskId, 'shell-state');
}

/** Only bash has the pieces the trap needs ($BASHPID, ${!prefix@}, ${var@a}, BASH_ENV). */
export function canCapture(shell: string, env: Record<string, string>): boolean {
  // A BASH_ENV of the user's own is theirs to keep: no capture then.
  return path.basename(shell) === 'bash' && env.BASH_ENV === undefined;
}

const PREFIXES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'].map((c) => `"\${!${c}@}"`).join(' ');

// The trap turns off the command's xtrace/nounset/errexit first (its own
// `set` hidden from xtrace) so it neither prints nor stops half way; the
// shell is exiting, so that changes nothing else.
const PRELUDE = `# bgbash: saves the shell's working directory and exported variables when it exits.
__bgbash_state_file=$BGBASH_STATE_FILE
builtin unset BASH_ENV BGBASH_STATE_FILE
__bgbash_state() {
  [ "$BASHPID" = "$$" ] || return 0
  local __bgbash_v __bgbash_a=("$PWD")
  for __bgbash_v in ${PREFIXES}; do
    [[ \${!__bgbash_v@a} == *x* && \${!__bgbash_v@a} != *[aA]* && -v $__bgbash_v ]] && __bgbash_a+=("$__bgbash_v=\${!__bgbash_v}")
  done
  builtin printf '%s\\0' "\${__bgbash_a[@]}" 2>/dev/null >"$__bgbash_state_file"
}
builtin trap '{ builtin set +eux; } 2>/dev/null; __bgbash_state' EXIT
`;

/**
 * Environment that makes bash capture its state into `stateFile` at exit, or
 * null when the prelude cannot be written beside it (disk full, read-only
 * data dir): the command then runs as it would without, and keeps no state.
 */
export function captureEnv(stateFile: string, env: Record<string, string>): Record<string, string> | null {
  const prelude = path.join(path.dirname(stateFile), 'shell-prelude.bash');
  try {
    fs.writeFileSync(prelude, PRELUDE, { mode: 0o600 });
  } catch {
    return null;
  }
  return {
    BASH_ENV: prelude,
    BGBASH_STATE_FILE: stateFile,
    // bash takes a top-level shell (SHLVL unset) whose stdin is a socket — Node's
    // pipes are socketpairs — for one run by rshd, and then reads ~/.bashrc
    // instead of BASH_ENV (shell.c, run_startup_files). A level keeps BASH_ENV.
    ...(env.SHLVL === undefined ? { SHLVL: '1' } : {}),
  };
}

export interface CapturedState {
  cwd: string;
  /** Every exported variable at the end, by name. */
  env: Map<string, string>;
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
  // Written whole by a shell that ended normally: "cwd\0NAME=value\0…". A
  // file that does not end in NUL was cut short.
  if (buf.length === 0 || buf[buf.length - 1] !== 0) return null;
  const parts = buf.subarray(0, buf.length - 1).toString('utf8').split('\0');
  const cwd = parts.shift()!;
  if (!path.isAbsolute(cwd)) return null;
  const env = new Map<string, string>();
  for (const entry of parts) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return { cwd, env };
}
