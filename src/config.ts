/**
 * Configuration: defaults (the seed's keys and values), then the JSON files
 * (user, then project ./bgbash.config.json), then BGBASH_* environment
 * variables, then command-line `--set key=value` flags, each stronger than the
 * one before. Validated with zod; a bad key or value fails at start naming it.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { sessionNameSchema } from './shared/session-name.js';
import { attachSchema } from './config/attach-schema.js';
import { backendsSchema } from './config/backends-schema.js';
import { httpSchema } from './config/http-schema.js';
import { runnersSchema } from './config/runners-schema.js';
import { coerce, ConfigError, merge, readJsonFile, setPath } from './config/sources.js';
import { telegramSchema } from './config/telegram-schema.js';
import { duration, size } from './config/value-types.js';
import { isTrustedProject, untrustedPart, untrustedWarning } from './config/project-trust.js';

export { detachKeyByte } from './config/attach-schema.js';
export { ConfigError };

export const configSchema = z
  .object({
    dataDir: z.string().optional(),
    /** Project directories whose ./bgbash.config.json may set everything (user config only; `bgbash trust` adds one). */
    trustedProjects: z.array(z.string()).default([]),
    /** Name of the agent session this server serves; notices wait in its inbox. Default: the server's id. */
    session: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), sessionNameSchema).optional(),
    background: z
      .object({
        maxConcurrentTasks: z.number().int().min(1).max(10_000).default(10),
        taskTimeout: duration.prefault('30m'),
        defaultDeliverTo: z.array(z.string()).default([]),
        killGrace: duration.prefault('5s'),
        /** After a task's main process exits, end what it left running in the background. */
        killLeftovers: z.boolean().default(true),
        /** Runner for prompt tasks that name none: a key of `runners` or a preset (claude, codex, opencode, gemini). */
        defaultRunner: z.string().optional(),
      })
      .strict()
      .prefault({}),
    daemon: z
      .object({
        /** The daemon (one per user and data dir) exits after this long with no agent session and no live task. 0 = at once. */
        idleExit: duration.prefault('10m'),
      })
      .strict()
      .prefault({}),
    foreground: z
      .object({
        /** Seconds a foreground `bash` call waits before it returns and leaves the command running. 0 = never. */
        yieldAfter: z.number().min(0).default(30),
        /** Carry the working directory and exported variables from one `bash` call to the next, per MCP session. */
        keepShellState: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    output: z
      .object({
        maxBytes: size.prefault('64MiB'),
        /** Bytes of recent output kept in memory per task, for fast polls. */
        tailBytes: size.prefault('256KiB'),
        /** Default cap of one `task_output` read / a foreground result, in bytes. */
        readBytes: size.prefault('16KiB'),
      })
      .strict()
      .prefault({}),
    attach: attachSchema,
    terminal: z
      .object({
        cols: z.number().int().min(20).max(1000).default(120),
        rows: z.number().int().min(5).max(500).default(30),
        term: z.string().default('xterm-256color'),
      })
      .strict()
      .prefault({}),
    input: z
      .object({
        /** Quiet time after which a task blocked reading its terminal counts as waiting for input. */
        quietAfter: duration.prefault('1s'),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        maxTasks: z.number().int().min(1).default(1000),
        maxAge: duration.prefault('7d'),
      })
      .strict()
      .prefault({}),
    runners: runnersSchema,
    /**
     * Named places to run tasks besides this machine: `bash {backend: "<name>"}`.
     * ssh: the system OpenSSH client, with its own config and keys; `options` are
     * extra `-o Key=Value` settings (e.g. UserKnownHostsFile).
     */
    backends: backendsSchema,
    http: httpSchema,
    /** Telegram targets (telegram:<chat id>): the bot that sends, and where its API is. Only the user's own config or env may set these. */
    telegram: telegramSchema,
    notices: z
      .object({
        tailLines: z.number().int().min(0).max(100).default(5),
        /** Claude Code channel events; on only with Claude Code's channels on too (it does not say whether they are), so a notice is shown once. */
        channel: z.boolean().default(false),
        /** Agent plugins and hooks may start a turn for a notice when the agent is idle (opencode plugin, Claude Code wake hook). */
        wakeIdle: z.boolean().default(true),
        /** `claude -p`: how long the Stop hook keeps a session whose bgbash tasks still run from ending (0 = never). */
        holdPrintStop: duration.prefault('10m'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema> & { dataDir: string };

/** Environment variables and the key each sets. */
export const ENV_KEYS: Record<string, { key: string; type: 'number' | 'string' | 'boolean' | 'list' }> = {
  BGBASH_DATA_DIR: { key: 'dataDir', type: 'string' },
  BGBASH_SESSION: { key: 'session', type: 'string' },
  BGBASH_MAX_CONCURRENT_TASKS: { key: 'background.maxConcurrentTasks', type: 'number' },
  BGBASH_TASK_TIMEOUT: { key: 'background.taskTimeout', type: 'string' },
  BGBASH_DEFAULT_DELIVER_TO: { key: 'background.defaultDeliverTo', type: 'list' },
  BGBASH_KILL_GRACE: { key: 'background.killGrace', type: 'string' },
  BGBASH_DAEMON_IDLE_EXIT: { key: 'daemon.idleExit', type: 'string' },
  BGBASH_YIELD_AFTER: { key: 'foreground.yieldAfter', type: 'number' },
  BGBASH_DETACH_KEY: { key: 'attach.detachKey', type: 'string' },
  BGBASH_OUTPUT_MAX_BYTES: { key: 'output.maxBytes', type: 'string' },
  BGBASH_CHANNEL: { key: 'notices.channel', type: 'boolean' },
  BGBASH_WAKE_IDLE: { key: 'notices.wakeIdle', type: 'boolean' },
  BGBASH_HOLD_PRINT_STOP: { key: 'notices.holdPrintStop', type: 'string' },
  BGBASH_HTTP_TOKEN: { key: 'http.token', type: 'string' },
  BGBASH_TELEGRAM_TOKEN: { key: 'telegram.token', type: 'string' },
};

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'bgbash');
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'bgbash', 'config.json');
}

export interface LoadOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `--config FILE`: used instead of the project file. */
  configFile?: string;
  /** `--set key=value` pairs and dedicated flags, strongest. */
  overrides?: Record<string, string>;
  /** Where warnings go (keys of an untrusted project ignored, a broken project config skipped). */
  onWarning?: (message: string) => void;
  /** CLI commands: a project config that does not load is skipped with a warning instead of failing. */
  lenientProject?: boolean;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const sources: Array<[string, Record<string, unknown>]> = [];
  const user = readJsonFile(userConfigPath(env));
  if (user) sources.push([userConfigPath(env), user]);
  // --config and BGBASH_CONFIG are the user's own choice; ./bgbash.config.json is whatever the working directory holds.
  const explicit = opts.configFile ?? env.BGBASH_CONFIG;
  // Relative to the directory it was given in (a daemon serving this session runs in /).
  const projectFile = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'bgbash.config.json');
  try {
    const project = readJsonFile(projectFile);
    if (!project && explicit) throw new ConfigError(`config file ${projectFile} does not exist`);
    if (project) {
      // A data dir the project file names is relative to that file, as the front-end reads it (cli/front-end-args.ts).
      if (typeof project.dataDir === 'string') project.dataDir = path.resolve(path.dirname(projectFile), project.dataDir);
      // The bot token and where it is sent come from the user alone (their config, env, or a file they name), trusted project or not.
      if ('telegram' in project && !explicit) {
        delete project.telegram;
        process.stderr.write(`bgbash: warning: "telegram" in ${projectFile} is ignored; set it in ${userConfigPath(env)} or BGBASH_TELEGRAM_TOKEN\n`);
      }
      sources.push([projectFile, explicit ? project : trustFiltered(project, projectFile, user, env, opts.onWarning)]);
    }
    return build(sources, env, opts);
  } catch (err) {
    if (!(err instanceof ConfigError) || explicit || !opts.lenientProject) throw err;
    // Without the project file it loads: the project file was the problem, and a CLI command goes on without it.
    let fallback: Config;
    try {
      fallback = build(user ? [[userConfigPath(env), user]] : [], env, opts);
    } catch {
      throw err;
    }
    opts.onWarning?.(`skipping ${projectFile}: ${err.message.replace(/^bad config: /, '')}`);
    return fallback;
  }
}

function trustFiltered(project: Record<string, unknown>, file: string, user: Record<string, unknown> | null, env: NodeJS.ProcessEnv, warn?: (m: string) => void): Record<string, unknown> {
  const trusted = user?.trustedProjects ?? [];
  if (!Array.isArray(trusted) || !trusted.every((t) => typeof t === 'string')) throw new ConfigError(`bad config: "trustedProjects" in ${userConfigPath(env)} must be a list of directories`);
  if (isTrustedProject(file, trusted)) return project;
  const { kept, ignored } = untrustedPart(project, sectionKeys);
  if (ignored.length) warn?.(untrustedWarning(file, ignored));
  return kept;
}

/** A config section's keys (null: no such section), read from the schema so the two never disagree. */
function sectionKeys(section: string): string[] | null {
  if (!(section in configSchema.shape)) return null;
  // Sections are objects wrapped in prefault/default: unwrap to the object's shape.
  let s = (configSchema.shape as Record<string, unknown>)[section] as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } } | undefined;
  while (s && !s.shape && s._zod?.def?.innerType) s = s._zod.def.innerType as typeof s;
  return s?.shape ? Object.keys(s.shape) : [];
}

function build(sources: Array<[string, Record<string, unknown>]>, env: NodeJS.ProcessEnv, opts: LoadOptions): Config {
  let merged: Record<string, unknown> = {};
  for (const [file, value] of sources) {
    checkShape(value, file);
    merged = merge(merged, value);
  }
  for (const [name, { key, type }] of Object.entries(ENV_KEYS)) {
    const text = env[name];
    if (text !== undefined && text !== '') setPath(merged, key, coerce(text, type));
  }
  for (const [key, text] of Object.entries(opts.overrides ?? {})) setPath(merged, key, coerce(text, 'auto'));

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? '' : '(top level)');
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const named = keys.length ? [where, keys[0]].filter(Boolean).join('.') : where;
    const msg = issue.code === 'unrecognized_keys' ? `unknown key "${named}"` : `"${named}": ${issue.message}`;
    throw new ConfigError(`bad config: ${msg}${sources.length ? ` (sources: ${sources.map(([f]) => f).join(', ')}, env, flags)` : ''}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir ?? defaultDataDir(env)) };
}

function checkShape(value: Record<string, unknown>, file: string): void {
  for (const [k, v] of Object.entries(value)) {
    if (k === 'dataDir' || k === 'session' || k === 'runners' || k === 'trustedProjects' || k === 'backends') continue;
    if (!(k in configSchema.shape)) throw new ConfigError(`bad config: unknown key "${k}" in ${file}`);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`bad config: "${k}" in ${file} must be an object`);
  }
}
