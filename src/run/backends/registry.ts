/**
 * Every backend by name. Adding a way to run tasks is one file that exports a
 * Backend plus one line here (or, for a kind of backend the config
 * instantiates per host, one line in TYPES).
 */
import type { Config } from '../../config.js';
import { UserError } from '../../shared/errors.js';
import { agentBackend } from './agent.js';
import type { Backend } from './backend.js';
import { pipeBackend } from './pipe.js';
import { ptyBackend } from './pty.js';
import { samplingBackend } from './sampling.js';
import { sshBackend } from './ssh.js';

const BUILT_IN: Record<string, Backend> = {
  pty: ptyBackend,
  pipe: pipeBackend,
  agent: agentBackend,
  sampling: samplingBackend,
};

/** Kinds of backend the config instantiates by name: `backends.<name> = {type, …}`. */
const TYPES: { [T in BackendConfig['type']]: (name: string, cfg: Extract<BackendConfig, { type: T }>, config: Config) => Backend } = {
  ssh: sshBackend,
};

type BackendConfig = Config['backends'][string];

/** The built-in backends' names. */
export const BUILT_IN_BACKENDS = Object.keys(BUILT_IN);

/** One instance per configured backend and config: a shared ssh connection belongs to it. */
const configured = new WeakMap<Config, Map<string, Backend>>();

/** The backend a task records, by name: built in or configured. Throws a UserError naming the known ones. */
export function backendNamed(name: string, config: Config): Backend {
  const b = BUILT_IN[name];
  if (b) return b;
  const cfg = Object.hasOwn(config.backends, name) ? config.backends[name] : undefined;
  if (!cfg) throw new UserError(`backend: unknown backend "${name}" (known: ${[...BUILT_IN_BACKENDS, ...Object.keys(config.backends)].join(', ')})`, 'backend');
  let mine = configured.get(config);
  if (!mine) configured.set(config, (mine = new Map()));
  let made = mine.get(name);
  if (!made) mine.set(name, (made = TYPES[cfg.type](name, cfg, config)));
  return made;
}

/**
 * The backend a `bash`/`bg_submit` call asks for: `backend` by name, or `host`
 * naming a configured backend or the host one of them points at.
 */
export function backendFor(config: Config, ask: { backend?: string | null; host?: string | null }): string | null {
  if (ask.backend) return backendNamed(ask.backend, config).name;
  if (!ask.host) return null;
  if (Object.hasOwn(config.backends, ask.host)) return ask.host;
  const byHost = Object.entries(config.backends).filter(([, b]) => b.host === ask.host);
  if (byHost.length === 1) return byHost[0][0];
  if (byHost.length > 1) throw new UserError(`host: "${ask.host}" is the host of several backends (${byHost.map(([n]) => n).join(', ')}); pass backend instead`, 'host');
  const known = Object.entries(config.backends).map(([n, b]) => `${n} (${b.host})`);
  throw new UserError(`host: no backend is configured for "${ask.host}"${known.length ? ` (configured: ${known.join(', ')})` : '; add one as backends.<name> = {"type": "ssh", "host": …} in your config'}`, 'host');
}

/** Every backend that may have left processes behind, for recovery. */
export function allBackends(config: Config): Backend[] {
  return [...Object.values(BUILT_IN), ...Object.keys(config.backends).map((n) => backendNamed(n, config))];
}
