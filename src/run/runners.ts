/**
 * Agent runners: how a prompt task runs an agent CLI and reads its answer.
 * Runners are configuration (`runners.<name>` in the config file); the
 * presets below cover the agent CLIs people have. The prompt goes in as one
 * argv element, never through a shell, so quotes, `$()`, backticks and
 * newlines arrive byte for byte. It goes after `--` (or glued to its option
 * as `--prompt=…`), so a prompt such as `--dangerously-skip-permissions` is
 * the text of the prompt, never an option of the agent CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { UserError } from '../shared/errors.js';

export interface RunnerSpec {
  command: string[];
  parse: 'text' | 'json' | 'stream-json';
  result?: string;
  where?: string;
  tokens?: { input?: string; output?: string };
  error?: string;
  env?: Record<string, string>;
}

/**
 * Presets, and the output each parses:
 * - claude: `claude -p --output-format json` prints one object
 *   {type: "result", is_error, result, usage: {input_tokens, output_tokens, …}, …}.
 * - codex: `codex exec --json` prints JSONL events; the answer is the text of
 *   the last {type: "item.completed", item: {type: "agent_message", text}};
 *   usage comes from {type: "turn.completed", usage: {input_tokens, output_tokens}};
 *   {type: "turn.failed", error: {message}} is a failure.
 * - opencode: `opencode run` prints the answer as text (tokens estimated).
 * - gemini: `gemini --prompt=…` prints the answer as text (tokens estimated).
 * How each takes `--` (checked against the pinned CLIs): claude (commander)
 * and codex (clap) read what follows `--` as the prompt positional; opencode
 * joins `message` and the words after `--`; gemini's -p takes a value, and
 * yargs reads `--prompt=VALUE` as the value whatever it starts with.
 */
export const PRESETS: Record<string, RunnerSpec> = {
  claude: {
    command: ['claude', '-p', '--output-format', 'json', '--', '{prompt}'],
    parse: 'json',
    result: 'result',
    error: 'is_error',
    tokens: { input: 'usage.input_tokens', output: 'usage.output_tokens' },
  },
  codex: {
    command: ['codex', 'exec', '--json', '--skip-git-repo-check', '--', '{prompt}'],
    parse: 'stream-json',
    result: 'item.text',
    where: 'item.type=agent_message',
    error: 'error.message',
    tokens: { input: 'usage.input_tokens', output: 'usage.output_tokens' },
  },
  opencode: { command: ['opencode', 'run', '--', '{prompt}'], parse: 'text' },
  gemini: { command: ['gemini', '--prompt={prompt}'], parse: 'text' },
};

export function runnerNames(config: Config): string[] {
  return [...new Set([...Object.keys(config.runners), ...Object.keys(PRESETS)])];
}

export function resolveRunner(config: Config, name: string): RunnerSpec {
  const spec = (config.runners as Record<string, RunnerSpec>)[name] ?? PRESETS[name];
  if (!spec) throw new UserError(`runner: unknown runner "${name}" (configured or built in: ${runnerNames(config).join(', ')})`, 'runner');
  return spec;
}

/**
 * The runner's argv for a prompt. Placeholders are replaced in one pass over
 * the runner's own text: a `{cwd}` or `{prompt}` inside the prompt (or the
 * cwd) is text, never expanded.
 */
export function buildArgv(spec: RunnerSpec, prompt: string, cwd: string): string[] {
  const values: Record<string, string> = { '{prompt}': prompt, '{cwd}': cwd };
  return spec.command.map((arg) => arg.replace(/\{prompt\}|\{cwd\}/g, (p) => values[p]));
}

/** Where argv[0] lives, or null when it is not installed. */
export function findExecutable(file: string, pathVar = process.env.PATH ?? ''): string | null {
  const candidates = file.includes('/') ? [path.resolve(file)] : pathVar.split(path.delimiter).filter(Boolean).map((d) => path.join(d, file));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return null;
}

export function getPath(value: unknown, dotted: string): unknown {
  let node = value;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export type RunnerOutcome =
  | { ok: true; result: string; input_tokens: number | null; output_tokens: number | null }
  | { ok: false; error: string };

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Reads a finished runner's stdout into its answer and usage, or says why it cannot. */
export function parseRunnerOutput(spec: RunnerSpec, stdout: string): RunnerOutcome {
  if (spec.parse === 'text') {
    const text = stdout.trim();
    return text ? { ok: true, result: text, input_tokens: null, output_tokens: null } : { ok: false, error: 'the runner printed nothing' };
  }
  if (spec.parse === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(stdout);
    } catch {
      return { ok: false, error: `the runner's output is not JSON: ${JSON.stringify(stdout.trim().slice(0, 200))}` };
    }
    const result = spec.result ? getPath(doc, spec.result) : doc;
    const err = spec.error ? getPath(doc, spec.error) : undefined;
    if (err) return { ok: false, error: typeof err === 'string' ? err : `the runner reported an error: ${typeof result === 'string' ? result : JSON.stringify(doc).slice(0, 300)}` };
    if (typeof result !== 'string') return { ok: false, error: `no answer at "${spec.result}" in the runner's JSON` };
    return { ok: true, result, input_tokens: num(spec.tokens?.input && getPath(doc, spec.tokens.input)), output_tokens: num(spec.tokens?.output && getPath(doc, spec.tokens.output)) };
  }
  // stream-json: one JSON event per line; other lines are ignored.
  const [wherePath, whereValue] = spec.where ? [spec.where.slice(0, spec.where.indexOf('=')), spec.where.slice(spec.where.indexOf('=') + 1)] : [null, null];
  let result: string | null = null;
  let error: string | null = null;
  let input: number | null = null;
  let output: number | null = null;
  let events = 0;
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      continue;
    }
    events++;
    if (spec.error) {
      const e = getPath(ev, spec.error);
      if (typeof e === 'string' && e) error = e;
    }
    if (spec.tokens?.input) input = (input ?? 0) + (num(getPath(ev, spec.tokens.input)) ?? 0);
    if (spec.tokens?.output) output = (output ?? 0) + (num(getPath(ev, spec.tokens.output)) ?? 0);
    if (wherePath && String(getPath(ev, wherePath)) !== whereValue) continue;
    const r = spec.result ? getPath(ev, spec.result) : null;
    if (typeof r === 'string') result = r;
  }
  if (events === 0) return { ok: false, error: `the runner printed no JSON events: ${JSON.stringify(stdout.trim().slice(0, 200))}` };
  if (error) return { ok: false, error };
  if (result === null) return { ok: false, error: `no answer at "${spec.result}"${spec.where ? ` where ${spec.where}` : ''} in the runner's events` };
  return { ok: true, result, input_tokens: input, output_tokens: output };
}
