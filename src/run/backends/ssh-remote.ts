/**
 * The shell text an ssh task runs on the other machine, and the markers it
 * prints around the command so the local side knows the command really
 * started (connection and login worked) and how it exited (as opposed to the
 * connection dropping). Markers carry a random nonce and are removed from the
 * output before anyone sees it.
 */
import crypto from 'node:crypto';

/** POSIX single-quoting: the text arrives byte for byte through the remote shell. */
export function shq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface RemoteMarkers {
  nonce: string;
  /** `\x1b]bgbash;<nonce>;` — every marker starts so. */
  prefix: Buffer;
}

export function newMarkers(): RemoteMarkers {
  const nonce = crypto.randomBytes(8).toString('hex');
  return { nonce, prefix: Buffer.from(`\x1b]bgbash;${nonce};`) };
}

/** A remote directory for `cd`: "~" and "~/…" are the remote home (quoted, a tilde would not expand). */
function remoteDir(cwd: string): string {
  return cwd.startsWith('~/') ? `"$HOME"/${shq(cwd.slice(2))}` : shq(cwd);
}

export interface RemoteCommand {
  command: string;
  /** null: the login directory. */
  cwd: string | null;
  env: Record<string, string>;
  /** Variables the session's shell unset. */
  unset: string[];
  /**
   * The shell-state prelude (run/state-capture.ts) when this call's end
   * becomes its session's state: written to a private temporary directory on
   * the host and given to bash as BASH_ENV; what it captured comes back as a
   * `state;<hex>` marker before the exit marker.
   */
  prelude: string | null;
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `start;<pid>` is printed by the remote wrapper shell before the command (its
 * pid is the remote session: sshd makes the session's shell a session leader);
 * `exit;<status>` after it.
 */
export function remoteScript(m: RemoteMarkers, o: RemoteCommand): string {
  // Names go into the script unquoted: only shell names (a name like `BASH_FUNC_f%%` cannot be exported there anyway).
  const exports = Object.entries(o.env)
    .filter(([k]) => SHELL_NAME.test(k))
    .map(([k, v]) => `export ${k}=${shq(v)}`)
    .join('; ');
  const mark = (what: string): string => `printf '\\033]bgbash;%s;%s\\007' ${m.nonce} "${what}"`;
  const names = o.unset.filter((n) => SHELL_NAME.test(n));
  const unset = names.length ? `unset -v ${names.join(' ')}; ` : '';
  const cd = o.cwd && o.cwd !== '~' ? `cd -- ${remoteDir(o.cwd)} || exit 1; ` : '';
  const bash = `bash -c ${shq(o.command)}`;
  if (!o.prelude) {
    // The command runs in a child shell (bash when the host has it) so the wrapper lives to report its status.
    const run = `if command -v bash >/dev/null 2>&1; then ${bash}; else sh -c ${shq(o.command)}; fi`;
    return `${mark('start;$$')}; ${exports}; ${unset}(${cd}${run}); ${mark('exit;$?')}`;
  }
  // No mktemp, no bash: the command runs without the capture, and the state stays as it was.
  const d = '"$__bgbash_d"';
  const prepare = `__bgbash_d=$(mktemp -d 2>/dev/null) && printf '%s' ${shq(o.prelude)} > ${d}/p || __bgbash_d=`;
  const run = `if [ -n "$__bgbash_d" ] && command -v bash >/dev/null 2>&1; then BASH_ENV=${d}/p BGBASH_STATE_FILE=${d}/s ${bash}; elif command -v bash >/dev/null 2>&1; then ${bash}; else sh -c ${shq(o.command)}; fi`;
  // The captured bytes as hex: nothing in them can end the marker or be changed by a remote terminal.
  const state = `[ -s ${d}/s ] && ${mark(`state;$(od -An -v -tx1 < ${d}/s | tr -d ' \\n')`)}`;
  return `${mark('start;$$')}; ${exports}; ${unset}${prepare}; (${cd}${run}); __bgbash_st=$?; ${state}; [ -n "$__bgbash_d" ] && rm -rf ${d}; ${mark('exit;$__bgbash_st')}`;
}

/** Whose remote processes to end: one task's (its whole marker), or every task of a server (`<server>:`, after it died). */
export type RemoteMarker = { task: string } | { server: string };

/**
 * Ends every remote process of a task: those carrying its marker variable
 * (found in /proc/<pid>/environ, so daemons that escaped with setsid are
 * caught) and those in its session. SIGTERM (and SIGCONT), the grace, SIGKILL.
 * Prints how many it found, so a test can check the remote side.
 */
export function remoteKillScript(marker: RemoteMarker, sid: number | null, graceMs: number): string {
  const rounds = Math.max(1, Math.ceil(graceMs / 100));
  // A server id is hex digits: as a regex anchored at the entry's start it matches itself only.
  const [m, match] = 'task' in marker ? [`BGBASH_TASK=${marker.task}`, '-xF "$m"'] : [`BGBASH_TASK=${marker.server.replace(/[^0-9a-f]/g, '')}:`, '"^$m"'];
  // One grep over every environ (NUL-separated entries: -z), not a process per pid: fast on a busy host.
  const list =
    `list() { { grep -lsz ${match} /proc/[0-9]*/environ | cut -d/ -f3; ` +
    (sid ? `ps -e -o pid= -o sid= | awk -v s=${sid} '$2 == s && $1 != s { print $1 }'; ` : '') +
    `} 2>/dev/null | grep -vx "$$" | sort -u; }`;
  return [
    `m=${shq(m)}`,
    list,
    `ps=$(list); echo "found $(echo $ps | wc -w)"; [ -z "$ps" ] && exit 0`,
    `kill -TERM $ps 2>/dev/null; kill -CONT $ps 2>/dev/null`,
    `i=0; while [ $i -lt ${rounds} ]; do sleep 0.1; ps=$(list); [ -z "$ps" ] && exit 0; i=$((i+1)); done`,
    `kill -KILL $ps 2>/dev/null; exit 0`,
  ].join('\n');
}

/**
 * Takes the markers out of the byte stream. Bytes that might be the start of
 * a marker split across chunks are held back until the next chunk decides.
 */
export class MarkerFilter {
  private held = Buffer.alloc(0);
  started: number | null = null;
  exitStatus: number | null = null;
  /** What the remote shell-state capture wrote, when it ran. */
  state: Buffer | null = null;

  constructor(
    private readonly m: RemoteMarkers,
    private readonly deliver: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(this.m.prefix);
      if (at < 0) break;
      const end = buf.indexOf(0x07, at + this.m.prefix.length);
      if (end < 0) {
        this.deliver(buf.subarray(0, at));
        this.held = Buffer.from(buf.subarray(at));
        return;
      }
      this.deliver(buf.subarray(0, at));
      this.take(buf.subarray(at + this.m.prefix.length, end).toString());
      buf = buf.subarray(end + 1);
    }
    // A tail that could begin a marker waits for the next chunk.
    const esc = buf.lastIndexOf(0x1b);
    if (esc >= 0 && buf.length - esc < this.m.prefix.length && this.m.prefix.subarray(0, buf.length - esc).equals(buf.subarray(esc))) {
      this.deliver(buf.subarray(0, esc));
      this.held = Buffer.from(buf.subarray(esc));
      return;
    }
    this.deliver(buf);
  }

  /** End of stream: whatever was held back was output after all. */
  end(): void {
    if (this.held.length) this.deliver(this.held);
    this.held = Buffer.alloc(0);
  }

  private take(body: string): void {
    const [what, value] = body.split(';');
    if (what === 'state' && this.state === null && /^(?:[0-9a-f]{2})*$/.test(value)) {
      this.state = Buffer.from(value, 'hex');
      return;
    }
    const n = Number(value);
    if (!Number.isInteger(n)) return;
    if (what === 'start' && this.started === null) this.started = n;
    else if (what === 'exit' && this.exitStatus === null) this.exitStatus = n;
  }
}
