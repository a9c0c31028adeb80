/**
 * Every `bgbash` command: name, one-line summary, and its module (loaded only
 * when that command runs). Adding a command is a file in commands/ exporting
 * `spec` and `run`, plus one line here.
 */
import type { CommandModule } from './command.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'serve', summary: 'Run the MCP server (stdio; --http for Streamable HTTP): what agents start', load: () => import('./commands/serve.js') },
  { name: 'daemon', summary: "The daemon that owns every session's tasks: status, stop", load: () => import('./commands/daemon.js') },
  { name: 'list', summary: 'Tasks of every server, newest first', load: () => import('./commands/list.js') },
  { name: 'status', summary: 'One task in full', load: () => import('./commands/status.js') },
  { name: 'output', summary: "A task's output; -f follows it to the end", load: () => import('./commands/output.js') },
  { name: 'result', summary: "What a finished task printed; exits with the task's exit code", load: () => import('./commands/result.js') },
  { name: 'wait', summary: 'Wait for tasks to end', load: () => import('./commands/wait.js') },
  { name: 'cancel', summary: 'Cancel a pending or running task (ends its whole process tree)', load: () => import('./commands/cancel.js') },
  { name: 'retry', summary: 'Run an ended task again as a new task', load: () => import('./commands/retry.js') },
  { name: 'run', summary: 'Submit a background task from the terminal', load: () => import('./commands/run.js') },
  { name: 'attach', summary: "Watch a task's terminal live and type into it", load: () => import('./commands/attach.js') },
  { name: 'detach', summary: "Send the agent's foreground run to the background", load: () => import('./commands/detach.js') },
  { name: 'tasks', summary: 'The Tasks page (full screen)', load: () => import('./commands/tasks.js') },
  { name: 'strip', summary: 'The one-line task strip', load: () => import('./commands/strip.js') },
  { name: 'install', summary: "Add bgbash to an agent's config", load: () => import('./commands/install.js') },
  { name: 'doctor', summary: "Check Node, the pty, the data dir, servers and agents' configs; one line each", load: () => import('./commands/doctor.js') },
  { name: 'notify-test', summary: 'Send a sample completion notice to a deliver_to target', load: () => import('./commands/notify-test.js') },
  { name: 'trust', summary: "Let this project's bgbash.config.json set every key (runners, backends, deliver targets, http.*, …)", load: () => import('./commands/trust.js') },
  { name: 'hook', summary: 'Hook command for claude-code / gemini-cli (prints pending notices)', load: () => import('./commands/hook.js') },
];

export function findEntry(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
