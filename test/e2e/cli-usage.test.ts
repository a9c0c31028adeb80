/** The CLI as a person types it: typos are errors that name the option, with a suggestion; help per command; exit code 2. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHelp } from '../../src/cli/help.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { bgbash } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

const dir = tempDir();

/** Runs every case at once (each is its own process) and checks exit code 2 and the message. */
async function usageErrors(cases: Array<[string[], RegExp]>): Promise<void> {
  const results = await Promise.all(cases.map(([args]) => bgbash(dir, args)));
  for (const [i, [args, message]] of cases.entries()) {
    expect(results[i].code, args.join(' ')).toBe(2);
    expect(results[i].stdout, args.join(' ')).toBe('');
    expect(results[i].stderr, args.join(' ')).toMatch(message);
  }
}

describe('usage errors exit 2 and say what was wrong', () => {
  it('an unknown option is named, with the nearest known one; nothing runs', async () => {
    await usageErrors([
      [['serve', '--sesion', 'foo'], /^bgbash: unknown option --sesion \(did you mean --session\?\)\nSee `bgbash serve --help`\.\n$/],
      [['status', '13', '--jsn'], /unknown option --jsn \(did you mean --json\?\)/],
      [['list', '--bogus'], /unknown option --bogus\n/],
      [['list', '-x'], /unknown option -x\n/],
      // An option of another command is unknown here.
      [['list', '--raw'], /unknown option --raw\n/],
    ]);
    // serve stopped before starting: no server registered itself.
    expect(fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : []).toEqual([]);
  });

  it('an unknown command suggests the nearest one, and only a near one', async () => {
    await usageErrors([
      [['lsit'], /unknown command "lsit" \(did you mean "list"\?\)/],
      [['stauts', '1'], /unknown command "stauts" \(did you mean "status"\?\)/],
      [['frobnicate'], /^bgbash: unknown command "frobnicate"; `bgbash --help` lists the commands\n$/],
    ]);
  });

  it('missing values, values given to switches and extra arguments', async () => {
    await usageErrors([
      [['run', '--name'], /--name needs a value/],
      [['run', '--name', '--json', '--', 'true'], /--name needs a value/],
      [['list', '--json=yes'], /--json takes no value/],
      [['status', '1', '2'], /unexpected argument "2"/],
      [['list', '--set', 'nokey'], /--set takes KEY=VALUE/],
    ]);
  });
});

describe('help', () => {
  it('`<command> --help` and `help <command>` show that command: usage, options, examples', async () => {
    const forms = [['list', '--help'], ['help', 'list'], ['list', '-h']];
    const results = await Promise.all(forms.map((args) => bgbash(dir, args)));
    for (const [i, args] of forms.entries()) {
      const r = results[i];
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: bgbash list \[--state/);
      expect(r.stdout).toMatch(/^\s+--state S\[,S…\]\s+Only tasks in these states/m);
      expect(r.stdout).toMatch(/^Examples:\n {2}bgbash list$/m);
    }
    // Help wins over a missing argument or a missing server.
    expect(await bgbash(dir, ['cancel', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: bgbash cancel <id\|name>/) });
  });

  it('every command has its own help with at least one example', async () => {
    // Read in-process (one node process per command is slow on a loaded machine); the CLI prints exactly this.
    for (const c of COMMANDS) {
      const text = commandHelp(c.name, (await c.load()).spec);
      expect(text, c.name).toMatch(new RegExp(`^Usage: bgbash ${c.name}`));
      expect(text, c.name).toMatch(/\nExamples:\n {2}\S/);
    }
    const serve = await bgbash(dir, ['serve', '--help']);
    expect(serve).toMatchObject({ code: 0, stdout: commandHelp('serve', (await COMMANDS.find((c) => c.name === 'serve')!.load()).spec) });
  });

  it('--help lists every command; no command is a usage error that prints the list', async () => {
    const r = await bgbash(dir, ['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${c.name} +\\S`, 'm'));
    const [none, nope] = await Promise.all([bgbash(dir, []), bgbash(dir, ['help', 'nope'])]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/^bgbash \S+ — /) });
    expect(nope).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "nope"') });
  });
});
