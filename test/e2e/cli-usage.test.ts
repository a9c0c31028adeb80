/** The CLI as a person types it: typos are errors that name the option, with a suggestion; help per command; exit code 2. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { bgbash } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

const dir = tempDir();

describe('usage errors exit 2 and say what was wrong', () => {
  it('an unknown option is named, with the nearest known one; nothing runs', async () => {
    const serve = await bgbash(dir, ['serve', '--sesion', 'foo']);
    expect(serve).toMatchObject({ code: 2, stdout: '' });
    expect(serve.stderr).toMatch(/^bgbash: unknown option --sesion \(did you mean --session\?\)\nSee `bgbash serve --help`\.\n$/);
    // serve stopped before starting: no server registered itself.
    expect(fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : []).toEqual([]);
    expect(await bgbash(dir, ['status', '13', '--jsn'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --jsn (did you mean --json?)') });
    expect(await bgbash(dir, ['list', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --bogus') });
    expect(await bgbash(dir, ['list', '-x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option -x\n/) });
    // An option of another command is unknown here.
    expect(await bgbash(dir, ['list', '--raw'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --raw') });
  });

  it('an unknown command suggests the nearest one', async () => {
    expect(await bgbash(dir, ['lsit'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "lsit" (did you mean "list"?)') });
    expect(await bgbash(dir, ['stauts', '1'])).toMatchObject({ code: 2, stderr: expect.stringContaining('(did you mean "status"?)') });
    const far = await bgbash(dir, ['frobnicate']);
    expect(far).toMatchObject({ code: 2 });
    expect(far.stderr).not.toContain('did you mean');
  });

  it('missing values, values given to switches and extra arguments', async () => {
    expect(await bgbash(dir, ['run', '--name'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--name needs a value') });
    expect(await bgbash(dir, ['run', '--name', '--json', '--', 'true'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--name needs a value') });
    expect(await bgbash(dir, ['list', '--json=yes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--json takes no value') });
    expect(await bgbash(dir, ['status', '1', '2'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unexpected argument "2"') });
    expect(await bgbash(dir, ['list', '--set', 'nokey'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--set takes KEY=VALUE') });
  });
});

describe('help', () => {
  it('`<command> --help` and `help <command>` show that command: usage, options, examples', async () => {
    for (const args of [['list', '--help'], ['help', 'list'], ['list', '-h']]) {
      const r = await bgbash(dir, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: bgbash list \[--state/);
      expect(r.stdout).toMatch(/^\s+--state S\[,S…\]\s+Only tasks in these states/m);
      expect(r.stdout).toMatch(/^Examples:\n {2}bgbash list$/m);
    }
    // Help wins over a missing argument or a missing server.
    expect(await bgbash(dir, ['cancel', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: bgbash cancel <id>/) });
  });

  it('every command has its own help with at least one example', async () => {
    for (const c of COMMANDS) {
      const r = await bgbash(dir, [c.name, '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout, c.name).toMatch(new RegExp(`^Usage: bgbash ${c.name}`));
      expect(r.stdout, c.name).toMatch(/\nExamples:\n {2}\S/);
    }
  });

  it('--help lists every command; no command is a usage error that prints the list', async () => {
    const r = await bgbash(dir, ['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${c.name} +\\S`, 'm'));
    expect(await bgbash(dir, [])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^bgbash \S+ — /) });
    expect(await bgbash(dir, ['help', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "nope"') });
  });
});
