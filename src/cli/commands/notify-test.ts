/**
 * `bgbash notify-test <target>`: sends a sample completion notice to one
 * deliver_to target and prints what the service answered, so a person can
 * check a webhook URL or bot token before a 40-minute run relies on it.
 * The target is printed redacted; the answer has secrets scrubbed.
 */
import type { DoneTask } from '../../shared/task.js';
import { DEFAULT_DELIVERY, prepare, sendTo } from '../../notify/deliver.js';
import { displayTarget, parseTarget, type Target } from '../../notify/targets.js';
import { TargetVault } from '../../notify/vault.js';
import { CliError, type Cli } from '../context.js';
import type { CommandSpec } from '../command.js';

/** Usage, for the command registry's help and strict parsing. */
export const spec: CommandSpec = {
  usage: '<target> [--json]',
  description: "Send a sample completion notice to one deliver_to target and print the service's answer (the target is shown redacted).",
  options: { json: { type: 'boolean' as const, help: 'Machine-readable output' } },
  maxArgs: 1,
  examples: ["bgbash notify-test 'ntfy:https://ntfy.sh/my-builds-7f3k2'", "bgbash notify-test 'slack:https://hooks.slack.com/services/T000/B000/XXXX'", 'bgbash notify-test telegram:123456789'],
  repair: false,
};

const SAMPLE_TAIL = [' ✓ test/parser.test.ts (42 tests) 812ms', ' ✓ test/server.test.ts (17 tests) 2.31s', '', ' Test Files  2 passed (2)', '      Tests  59 passed (59)'];

function sampleTask(cwd: string): DoneTask {
  const end = Date.now();
  return {
    id: '0',
    kind: 'shell',
    state: 'done',
    command: 'npm test',
    prompt: null,
    cwd,
    env: {},
    name: 'bgbash notify-test (a sample notice)',
    origin: 'cli',
    session: null,
    deliver_to: [],
    pty: true,
    timeout_ms: 0,
    server: 'notify-test',
    retry_of: null,
    notify_on: null,
    created_at: new Date(end - 12_300).toISOString(),
    started_at: new Date(end - 12_300).toISOString(),
    ended_at: new Date(end).toISOString(),
    exit_code: 0,
    signal: null,
    output_bytes: 120,
    output_dropped: 0,
    tokens: 30,
    result: null,
  };
}

export async function run(cli: Cli): Promise<number> {
  const spec = cli.args.positionals[0];
  if (!spec) throw new CliError('which target? e.g. bgbash notify-test ntfy:https://ntfy.sh/your-topic (slack:, discord:, telegram:, ntfy:, webhook:, command:, desktop)', 2);
  if (cli.args.positionals.length > 1) throw new CliError('notify-test takes one target; quote it if it has spaces', 2);
  let target: Target;
  try {
    target = parseTarget(TargetVault.in(cli.paths.root).open(spec));
  } catch (err) {
    throw new CliError((err as Error).message.replace(/^deliver_to: /, ''), 2);
  }
  const shown = displayTarget(spec);
  const outcome = await sendTo(target, prepare(sampleTask(process.cwd()), SAMPLE_TAIL), { ...DEFAULT_DELIVERY, telegram: cli.config.telegram });
  if (!outcome) {
    cli.out('session: notices reach the agent\'s own session by themselves; nothing to test');
    return 0;
  }
  if (cli.json) {
    cli.out(JSON.stringify({ target: shown, ...outcome }, null, 2));
  } else if (outcome.ok) {
    cli.out(`sent a sample notice to ${shown}${outcome.attempts > 1 ? ` (after ${outcome.attempts} attempts)` : ''}\nanswer: ${outcome.answer}`);
  } else {
    cli.out(`could not send a sample notice to ${shown}${outcome.attempts > 1 ? ` (${outcome.attempts} attempts)` : ''}\nerror: ${outcome.error}`);
  }
  // fetch keeps the service's connection alive for seconds after the answer; the test is over, so is the process.
  const code = outcome.ok ? 0 : 1;
  setImmediate(() => process.exit(code));
  return code;
}
