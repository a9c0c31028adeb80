/**
 * Configuration: defaults (the seed's keys and values), then the JSON files
 * (user, then project ./bgbash.config.json), then BGBASH_* environment
 * variables, then command-line `--set key=value` flags, each stronger than the
 * one before. Validated with zod; a bad key or value fails at start naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseDuration, parseSize } from './core/units.js';
import { sessionNameSchema } from './core/session-name.js';
import { isTrustedProject, untrustedPart, untrustedWarning } from './project-trust.js';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (try "30m", "90s", "1h30m" or a number of seconds)` });
    return z.NEVER;
  }
  return ms;
});
const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a size (try "64MiB", "500KB" or a number of bytes)` });
    return z.NEVER;
  }
  return n;
});

/** The byte of a control key named like "ctrl-b"; null for anything else, and for ctrl-] (attach's leave key). */
export function detachKeyByte(name: string): number | null {
  const m = /^(?:ctrl|control|c)[-+]([a-z@\\^_])$/i.exec(name.trim());
  return m ? m[1].toUpperCase().charCodeAt(0) - 64 : null;
}

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
    attach: z
      .object({
        /** The key that detaches the agent's foreground run in `bgbash attach`: a control key, e.g. "ctrl-g" to keep tmux's Ctrl+B prefix free. */
        detachKey: z
          .string()
          .refine((k) => detachKeyByte(k) !== null, 'a control key such as "ctrl-b" or "ctrl-g" (not ctrl-], which leaves)')
          .default('ctrl-b'),
      })
      .strict()
      .prefault({}),
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
    runners: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]+$/, 'runner names: letters, digits, "_" and "-"'),
        z
          .object({
            /** argv; "{prompt}" and "{cwd}" inside an element are replaced, never through a shell. */
            command: z.array(z.string()).min(1),
            parse: z.enum(['text', 'json', 'stream-json']).default('text'),
            /** json / stream-json: where the answer is, e.g. "result" or "item.text". */
            result: z.string().optional(),
            /** stream-json: only events where PATH=VALUE count for the result, e.g. "item.type=agent_message". */
            where: z.string().optional(),
            /** json / stream-json: where the usage is (summed over stream events). */
            tokens: z.object({ input: z.string().optional(), output: z.string().optional() }).strict().optional(),
            /** json / stream-json: a path whose truthy value means the run failed (its text, when a string, is the error). */
            error: z.string().optional(),
            env: z.record(z.string(), z.string()).optional(),
          })
          .strict(),
      )
      .default({}),
    /**
     * Named places to run tasks besides this machine: `bash {backend: "<name>"}`.
     * ssh: the system OpenSSH client, with its own config and keys; `options` are
     * extra `-o Key=Value` settings (e.g. UserKnownHostsFile).
     */
    backends: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'backend names: letters, digits, "_" and "-"')
          .refine((n) => !['pty', 'pipe', 'agent', 'sampling'].includes(n), 'pty, pipe, agent and sampling are built-in backends'),
        z.discriminatedUnion('type', [
          z
            .object({
              type: z.literal('ssh'),
              host: z.string().regex(/^[^\s-]\S{0,252}$/, 'a host name or address (no spaces, not starting with "-")'),
              user: z.string().regex(/^[^\s@-][^\s@]{0,63}$/, 'a user name (no spaces or "@", not starting with "-")').optional(),
              port: z.number().int().min(1).max(65535).optional(),
              identity: z.string().min(1).optional(),
              /** Remote working directory; default the remote user's home. */
              cwd: z.string().min(1).optional(),
              options: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*=[^\n]*$/, 'ssh options as "Key=Value"')).default([]),
            })
            .strict(),
        ]),
      )
      .default({}),
    http: z
      .object({
        /** Bearer token HTTP clients must send; generated at start when unset. */
        token: z.string().min(16, 'must be at least 16 characters').optional(),
        /** Open connections at most; more are closed at once (idle ones are closed after 10 s without headers). */
        maxConnections: z.number().int().min(1).max(10_000).default(128),
        /** MCP sessions at most; a new initialize beyond is refused (503). */
        maxSessions: z.number().int().min(1).max(10_000).default(32),
        /** A session with no request and no open stream for this long is closed. */
        sessionIdle: duration.prefault('30m'),
      })
      .strict()
      .prefault({}),
    /** Telegram targets (telegram:<chat id>): the bot that sends, and where its API is. Only the user's own config or env may set these. */
    telegram: z
      .object({
        token: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token looks like 123456789:AAE… (from @BotFather)').optional(),
        apiBase: z
          .string()
          .refine((v) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), 'must be an http(s) URL, e.g. https://api.telegram.org')
          .default('https://api.telegram.org'),
      })
      .strict()
      .prefault({}),
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

export class ConfigError extends Error {}

/** Environment variables and the key each sets. */
export const ENV_KEYS: Record<string, { key: string; type: 'number' | 'string' | 'boolean' | 'list' }> = {
  BGBASH_DATA_DIR: { key: 'dataDir', type: 'string' },
  BGBASH_SESSION: { key: 'session', type: 'string' },
  BGBASH_MAX_CONCURRENT_TASKS: { key: 'background.maxConcurrentTasks', type: 'number' },
  BGBASH_TASK_TIMEOUT: { key: 'background.taskTimeout', type: 'string' },
  BGBASH_DEFAULT_DELIVER_TO: { key: 'background.defaultDeliverTo', type: 'list' },
  BGBASH_KILL_GRACE: { key: 'background.killGrace', type: 'string' },
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

function readJsonFile(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** "10" → 10, "true" → true, "[...]"/"a,b" → list: the value a flag or env var text stands for. */
function coerce(text: string, type: 'number' | 'string' | 'boolean' | 'list' | 'auto'): unknown {
  if (type === 'string') return text;
  if (type === 'list') return text.trim().startsWith('[') ? JSON.parse(text) : text.split(',').map((s) => s.trim()).filter(Boolean);
  if (type === 'boolean') return text === 'true' || text === '1' || text === 'yes';
  if (type === 'number') return Number(text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
  const projectFile = explicit ?? path.join(cwd, 'bgbash.config.json');
  try {
    const project = readJsonFile(projectFile);
    if (!project && explicit) throw new ConfigError(`config file ${projectFile} does not exist`);
    if (project) {
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
