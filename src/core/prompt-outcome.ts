/** How a prompt task ended: its answer and usage, or an error that quotes what the runner said. */
import type { Config } from '../config.js';
import { cleanText, estimateTokens } from '../run/clean.js';
import { describeExit, type Task, type TaskEvent } from '../shared/task.js';
import type { ExecutorOutcome } from '../run/backends/backend.js';
import { buildArgv, findExecutable, parseRunnerOutput, resolveRunner } from '../run/runners.js';
import { UserError } from '../shared/errors.js';
import { SAMPLING_RUNNER } from './prechecks.js';
import type { LiveTask } from './live-task.js';

export interface PromptEnd {
  event: TaskEvent;
  fields: Pick<Task, 'result' | 'tokens' | 'usage'>;
}

function lastLines(text: string, n: number): string {
  return cleanText(text).trim().split('\n').slice(-n).join(' / ');
}

export function promptEnd(
  config: Config,
  task: Task,
  exit: { exit_code: number | null; signal: string | null },
  out: { stdout: string; stderr: string; executor: ExecutorOutcome | null },
  at: string,
): PromptEnd {
  const who = `runner "${task.runner}"`;
  const fail = (error: string): PromptEnd => ({
    event: { type: 'fail', error, at, exit_code: exit.exit_code, signal: exit.signal, reason: exit.signal ? 'signal' : 'exit' },
    fields: { result: null, tokens: estimateTokens(Buffer.byteLength(task.prompt ?? '')), usage: null },
  });
  let answer: { result: string; input_tokens: number | null; output_tokens: number | null };
  if (out.executor) {
    if (!out.executor.ok) return fail(`${who}: ${out.executor.error}`);
    answer = { result: out.executor.text, input_tokens: out.executor.input_tokens, output_tokens: out.executor.output_tokens };
  } else {
    if (exit.exit_code !== 0 || exit.signal) {
      const said = lastLines(out.stderr, 3) || lastLines(out.stdout, 3);
      return fail(`${who} ${describeExit(exit.exit_code, exit.signal)}${said ? `: ${said}` : ''}`);
    }
    const parsed = parseRunnerOutput(resolveRunner(config, task.runner!), out.stdout);
    if (!parsed.ok) {
      const said = lastLines(out.stderr, 3);
      return fail(`${who}: ${parsed.error}${said ? ` (stderr: ${said})` : ''}`);
    }
    answer = parsed;
  }
  const reported = answer.input_tokens !== null || answer.output_tokens !== null;
  const tokens = reported ? (answer.input_tokens ?? 0) + (answer.output_tokens ?? 0) : estimateTokens(Buffer.byteLength((task.prompt ?? '') + answer.result));
  return {
    event: { type: 'exit', exit_code: 0, signal: null, at },
    fields: { result: answer.result, tokens, usage: { input_tokens: answer.input_tokens, output_tokens: answer.output_tokens } },
  };
}

/**
 * Which runner a new prompt task gets: the one asked for, else
 * background.defaultRunner, else the session's client model (sampling). Fails
 * now, naming the runner, when it is unknown or not installed.
 */
export function chooseRunner(config: Config, spec: { prompt: string; runner?: string | null; cwd?: string; session?: string | null }, hasSampling: boolean): string {
  const runner = spec.runner ?? config.background.defaultRunner ?? (hasSampling ? SAMPLING_RUNNER : null);
  if (!runner) {
    throw new UserError('prompt: no runner to run it: pass runner (claude, codex, opencode, gemini or one from your config), set background.defaultRunner, or use a client that supports sampling', 'runner');
  }
  if (runner === SAMPLING_RUNNER) {
    if (!hasSampling) throw new UserError('runner "sampling": this client does not support sampling (sampling/createMessage)', 'runner');
    return runner;
  }
  const [file] = buildArgv(resolveRunner(config, runner), spec.prompt, spec.cwd ?? process.cwd());
  if (!findExecutable(file)) throw new UserError(`runner "${runner}" is not installed: "${file}" was not found on PATH (${process.env.PATH ?? ''})`, 'runner');
  return runner;
}

/** Reads what a finished prompt task's runner printed (or its executor's outcome) into its end. */
export async function readPromptEnd(config: Config, task: Task, lt: LiveTask, exit: { exit_code: number | null; signal: string | null }, at: string): Promise<PromptEnd> {
  const stdout = (await lt.log.read(0, lt.log.total)).toString('utf8');
  const stderr = lt.errLog ? (await lt.errLog.read(Math.max(0, lt.errLog.total - 4096), lt.errLog.total)).toString('utf8') : '';
  const executor = lt.proc?.outcome?.() ?? null;
  return promptEnd(config, task, exit, { stdout, stderr, executor }, at);
}
