#!/usr/bin/env node
/** `bgbash` — entry point: finds the command, parses its arguments strictly, runs it. */
import { ConfigError } from '../config.js';
import { ControlError } from '../control/client.js';
import { UserError } from '../shared/errors.js';
import { VERSION } from '../version.js';
import { findCommand, parseCommandArgs, UsageError } from './args.js';
import { GLOBAL_OPTIONS } from './command.js';
import { CliError, makeCli } from './context.js';
import { commandHelp, globalHelp } from './help.js';
import { COMMANDS, findEntry } from './registry.js';
import { didYouMean } from './suggest.js';

async function main(argv: string[]): Promise<number> {
  const { command, index } = findCommand(argv);
  if (command === null || command === 'help') {
    const rest = index < 0 ? argv : argv.slice(index + 1);
    const args = parseCommandArgs(null, rest, GLOBAL_OPTIONS, 1);
    if (args.flags.has('--version')) return print(`${VERSION}\n`);
    const topic = args.positionals[0];
    if (topic) {
      const entry = findEntry(topic);
      if (!entry) throw unknownCommand(topic);
      return print(commandHelp(entry.name, (await entry.load()).spec));
    }
    if (command === 'help' || args.flags.has('--help')) return print(globalHelp());
    process.stderr.write(globalHelp());
    return 2;
  }
  const entry = findEntry(command);
  if (!entry) throw unknownCommand(command);
  const mod = await entry.load();
  const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
  const args = parseCommandArgs(command, rest, { ...GLOBAL_OPTIONS, ...mod.spec.options }, mod.spec.maxArgs);
  if (args.flags.has('--help')) return print(commandHelp(command, mod.spec));
  if (args.flags.has('--version')) return print(`${VERSION}\n`);
  const cli = makeCli(args);
  if (mod.spec.repair !== false) {
    const { repairDeadServers } = await import('../notify/crash-repair.js');
    await repairDeadServers(cli.config, cli.paths, (msg) => void process.stderr.write(`bgbash: warning: ${msg}\n`)).catch(() => undefined);
  }
  const code = await mod.run(cli);
  if (mod.spec.screen && code >= 0) process.exit(code);
  return code;
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

function unknownCommand(name: string): UsageError {
  const near = didYouMean(name, COMMANDS.map((c) => c.name));
  return new UsageError(`unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}; \`bgbash --help\` lists the commands`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      const help = err.command ? `bgbash ${err.command} --help` : 'bgbash --help';
      process.stderr.write(`bgbash: ${err.message}\n${err.message.includes('--help') ? '' : `See \`${help}\`.\n`}`);
      process.exitCode = 2;
    } else if (err instanceof CliError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof ConfigError || err instanceof UserError || err instanceof ControlError) {
      process.stderr.write(`bgbash: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`bgbash: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
  },
);
