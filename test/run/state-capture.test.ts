/**
 * The shell-state prelude on old bash (issue 24 item 3): macOS's /bin/bash is
 * 3.2. What an older bash parses and runs of the prelude — everything outside
 * the quoted capture body — holds none of the bash >= 4 constructs, so it
 * can print no "invalid option" or "bad substitution"; the body runs only
 * after the version check. Run on this machine's bash: output byte for byte
 * what the command prints alone, with the capture and with the old-bash branch.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURE_BODY, PRELUDE, VERSION_CHECK, parseCapture } from '../../src/run/state-capture.js';
import { tempDir } from '../helpers/server.js';

/** bash >= 4 syntax and builtins, with the version that brought each (bash's NEWS and manual). */
const BASH4_CONSTRUCTS: Array<[string, RegExp]> = [
  ['declare/local/typeset -A (4.0)', /\b(?:declare|local|typeset)\s+(?:-\w*\s+)*-\w*A/],
  ['declare/local -n namerefs (4.3)', /\b(?:declare|local|typeset)\s+(?:-\w*\s+)*-\w*n/],
  ['declare -g (4.2)', /\bdeclare\s+(?:-\w*\s+)*-\w*g/],
  ['${var@op} transformations (4.4)', /\$\{[^}]*@[QEPAaKkULu]\}/],
  ['[[ -v ]] (4.2)', /-v\s/],
  ['$BASHPID (4.0)', /BASHPID/],
  ['mapfile / readarray (4.0)', /\b(?:mapfile|readarray)\b/],
  ['coproc (4.0)', /\bcoproc\b/],
  ['case fallthrough ;& and ;;& (4.0)', /;;?&/],
  ['|& (4.0)', /\|&/],
  ['&>> (4.0)', /&>>/],
  ['case modification ${v,,} ${v^^} (4.0)', /\$\{[^}]*(?:,,|\^\^|,|\^)\}/],
  ['negative array subscripts / substring lengths (4.2, 4.3)', /\[-\d+\]|:-?\d+:-\d+\}/],
  ['wait -n (4.3)', /\bwait\s+-n\b/],
  ['$EPOCHSECONDS / $EPOCHREALTIME (5.0)', /EPOCH(?:SECONDS|REALTIME)/],
  ['globstar, lastpipe and other 4.x shopts', /shopt\s+-s\s+(?:globstar|lastpipe|autocd|checkjobs|dirspell|inherit_errexit)/],
];

/** The prelude as bash 3.2 parses and runs it: the quoted body (only eval'd after the check) taken out. */
function outerPart(): string {
  const start = PRELUDE.indexOf("builtin eval '");
  expect(start).toBeGreaterThan(0);
  // The body is one single-quoted word: its quotes are written '\''.
  let i = start + "builtin eval '".length;
  for (;;) {
    const q = PRELUDE.indexOf("'", i);
    expect(q).toBeGreaterThan(0);
    if (PRELUDE.startsWith("'\\''", q)) i = q + 4;
    else return PRELUDE.slice(0, start) + 'builtin eval BODY' + PRELUDE.slice(q + 1);
  }
}

function runBash(command: string, env: Record<string, string>): { stdout: Buffer; stderr: Buffer; status: number | null } {
  // SHLVL: a top-level bash whose stdin is a socket would read ~/.bashrc instead of BASH_ENV.
  const r = spawnSync('bash', ['-c', command], { env: { PATH: process.env.PATH!, HOME: '/nonexistent', SHLVL: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const COMMAND = 'echo "out $((6*7))"; echo err >&2; export BGBASH_T_NEW=1; cd /; printf "%s|" "${BASH_ENV-none}" "${BGBASH_STATE_FILE-none}"; exit 3';

describe('the shell-state prelude on bash 3.2', () => {
  it('parses and runs nothing bash 3.2 lacks outside the version-checked body', () => {
    const outer = outerPart();
    for (const [name, re] of BASH4_CONSTRUCTS) expect(re.test(outer), `${name} in:\n${outer}`).toBe(false);
    // The list is not empty-handed: the body needs bash 4.4, and the list sees why.
    const caught = BASH4_CONSTRUCTS.filter(([, re]) => re.test(CAPTURE_BODY)).map(([name]) => name);
    expect(caught).toEqual(expect.arrayContaining(['declare/local/typeset -A (4.0)', '${var@op} transformations (4.4)', '[[ -v ]] (4.2)', '$BASHPID (4.0)']));
    // The body is reached only through the check.
    expect(outer).toContain(`if ${VERSION_CHECK}; then\n  builtin eval BODY\nelse`);
  });

  it("leaves the command's output untouched on this bash, and captures", () => {
    const dir = tempDir();
    const file = path.join(dir, 'prelude.bash');
    fs.writeFileSync(file, PRELUDE);
    const state = path.join(dir, 'state');
    const alone = runBash(COMMAND, {});
    const withPrelude = runBash(COMMAND, { BASH_ENV: file, BGBASH_STATE_FILE: state });
    expect(withPrelude).toEqual(alone);
    expect(alone.stdout.toString()).toBe('out 42\nnone|none|');
    expect(alone.stderr.toString()).toBe('err\n');
    const captured = parseCapture(fs.readFileSync(state));
    expect(captured?.cwd).toBe('/');
    expect(captured?.set.get('BGBASH_T_NEW')).toBe('1');
  });

  it('on a bash before 4.4 (the check answering no): the same bytes, no capture, nothing of it left in the shell', () => {
    const dir = tempDir();
    const file = path.join(dir, 'prelude.bash');
    expect(PRELUDE.split(VERSION_CHECK).length).toBe(2);
    fs.writeFileSync(file, PRELUDE.replace(VERSION_CHECK, 'false'));
    const state = path.join(dir, 'state');
    expect(runBash(COMMAND, { BASH_ENV: file, BGBASH_STATE_FILE: state })).toEqual(runBash(COMMAND, {}));
    expect(fs.existsSync(state)).toBe(false);
    expect(runBash('printf %s "${__bgbash_state_file-none}"; trap -p EXIT', { BASH_ENV: file, BGBASH_STATE_FILE: state }).stdout.toString()).toBe('none');
  });
});
