/**
 * Issue #12, case 4: a task named `x ESC]0;OWNED BEL ESC]52;c;… BEL` set the
 * pane title and wrote the clipboard (OSC 52) through `bgbash tasks`; list,
 * status, strip and result printed names, commands, results and errors as
 * they were. Every field bgbash prints to a terminal now goes through one gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable } from '../../src/shared/printable.js';
import { bgbash } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

const HOSTILE = 'x\x1b]0;OWNED\x07\x1b]52;c;T1dORUQ=\x07\u202etxt.exe\x9b31m\r\x08';
// Bytes that let a string talk to the terminal instead of being shown by it.
const TALKS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let s: TestServer;
let id: string;

beforeAll(async () => {
  s = await startServer();
  const r = await s.ok('bash', { command: `printf 'out\\033]0;OWNED\\007\\n'; echo '${'\x1b'}]52;c;T1dORUQ=${'\x07'}' >&2; exit 3`, name: HOSTILE });
  id = r.structuredContent.task_id ?? r.structuredContent.task?.id;
});
afterAll(async () => {
  await s?.close();
});

describe('the terminal gate', () => {
  it('removes escape sequences with their payloads, C0/C1 controls and bidi overrides; keeps text, newlines and tabs', () => {
    expect(printable(HOSTILE)).toBe('xtxt.exe');
    expect(printable('a\tb\nc é 日本')).toBe('a\tb\nc é 日本');
  });

  it('list, status and result print the hostile name, command and error without a single control byte', async () => {
    expect(id).toMatch(/^\d+$/);
    for (const args of [['list', '--all'], ['status', id], ['result', id]]) {
      const r = await bgbash(s.dataDir, args);
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(TALKS);
    }
    const status = await bgbash(s.dataDir, ['status', id]);
    expect(status.stdout).toContain('Name:      xtxt.exe');
    // The command's own escape bytes are gone; its text (printf's \\033 spelled out) stays readable.
    expect(status.stdout).toContain("printf 'out\\033]0;OWNED\\007\\n'; echo '' >&2; exit 3");
  });

  it('--json keeps the fields exact, escaped by JSON', async () => {
    const r = await bgbash(s.dataDir, ['status', id, '--json']);
    expect(r.stdout).not.toMatch(TALKS);
    expect(JSON.parse(r.stdout).name).toBe(HOSTILE);
  });
});
