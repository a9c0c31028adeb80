/** Help text: the command list (from the registry) and each command's own page (from its spec). */
import { VERSION } from '../version.js';
import { GLOBAL_OPTIONS, type CommandSpec, type Options } from './command.js';
import { COMMANDS } from './registry.js';

export function globalHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `bgbash ${VERSION} — background shell tasks for AI coding agents (an MCP server)

Usage: bgbash <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`).join('\n')}

\`bgbash <command> --help\` shows a command's options and examples.

Ids: a task's number ("12" or "#12"); any unique prefix works.
Several servers may run at once (one per agent session): the CLI sees them all;
--server ID picks one. list, status, output and result also work with no server running:
they read the records on disk.
cancel, retry, run, attach and detach need a running server.

Options for every command:
${optionLines(GLOBAL_OPTIONS)}
Exit codes: 0 ok, 1 task failed / not found / no server, 2 usage. NO_COLOR turns colours off.
`;
}

export function commandHelp(name: string, spec: CommandSpec): string {
  const own = optionLines(spec.options);
  return `Usage: bgbash ${name}${spec.usage ? ` ${spec.usage}` : ''}

${spec.description}
${own ? `\nOptions:\n${own}` : ''}
Options for every command: --data-dir DIR, --config FILE, --set KEY=VALUE, -h/--help
${spec.examples.length ? `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n` : ''}`;
}

function optionLines(options: Options): string {
  const rows = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`, o.help]);
  if (rows.length === 0) return '';
  const w = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => `  ${l.padEnd(w)}${h}`).join('\n') + '\n';
}
