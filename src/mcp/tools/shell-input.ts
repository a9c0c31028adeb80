/** Parameters `bash` and `bg_submit` share, and turning them into a task spec. */
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { MAX_COMMAND_BYTES } from '../../core/limits.js';
import { compileRegex } from '../../core/pattern.js';
import type { ShellSpec } from '../../core/manager.js';
import type { ToolContext } from '../context.js';
import { validateTarget } from '../../notify/targets.js';
import { checkSessionName } from '../../shared/session-name.js';
import { envEntryBytes, MAX_ENV_ENTRY, type ShellPlace } from '../../core/shell-state.js';
import { formatBytes } from '../../shared/units.js';
import { backendFor, backendNamed } from '../../run/backends/registry.js';

/**
 * A command: it runs as the one argument of `bash -c`, which Linux refuses
 * over MAX_COMMAND_BYTES at exec (E2BIG): refused here instead, saying what
 * to do. Counted in bytes (UTF-8), as the kernel counts.
 */
export function commandInput(description: string): z.ZodOptional<z.ZodString> {
  return z
    .string()
    .min(1)
    .superRefine((command, ctx) => {
      const bytes = Buffer.byteLength(command);
      if (bytes > MAX_COMMAND_BYTES) {
        ctx.addIssue({ code: 'custom', message: `${bytes} bytes is over the ${MAX_COMMAND_BYTES}-byte limit of a command (Linux passes it to bash -c as one argument, at most 128 KiB with what bgbash adds): write the script to a file and run the file` });
      }
    })
    .optional()
    .describe(`${description} (at most 124 KiB)`);
}

export const commonShellInput = {
  cwd: z.string().max(4096).optional().describe('Directory for this call (default: where the last call ended)'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables'),
  timeout: z.number().min(0.001, 'timeout is in seconds: at least 0.001 (1 ms); smaller values would round to 0').max(7 * 24 * 3600).optional().describe('Seconds before it is stopped, failing (default 30 min)'),
  name: z.string().max(200).optional().describe('Short label for lists and notices'),
  pty: z.boolean().default(true).describe('false: pipes, stderr kept apart'),
  backend: z.string().max(64).optional().describe('A configured backend (ssh host) to run on'),
  host: z.string().max(253).optional().describe('Same as backend, by host name'),
  notify_on: z.string().max(65_536).optional().describe('Regex: a notice for each matching output line while it runs'),
  persistent: z.boolean().optional().describe('Outlive this session, no default timeout: dev servers, watchers'),
  reuse: z.boolean().optional().describe('With name: return the live task of that name in this project instead'),
};

interface ShellArgs {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  name?: string;
  pty?: boolean;
  backend?: string;
  host?: string;
  origin?: string;
  session?: string;
  deliver_to?: string[];
  notify_on?: string;
  persistent?: boolean;
}

/** A configured (remote) backend the call names, with the directory its shells start in; undefined for this machine. */
function placeOf(ctx: ToolContext, args: ShellArgs): ShellPlace | undefined {
  const config = ctx.manager.configOf(ctx.session());
  const name = backendFor(config, args);
  if (!name || name === 'pty' || name === 'pipe') return undefined;
  const backend = backendNamed(name, config);
  return { backend: name, startCwd: backend.resolveCwd?.(undefined) ?? '~' };
}

/** A spec, plus what the agent should hear about where it runs (its session's directory is gone). */
export type SessionShellSpec = ShellSpec & { cwd_note: string | null };

export function shellSpecFrom(ctx: ToolContext, args: ShellArgs, extra: { foreground: boolean }): SessionShellSpec {
  if (args.notify_on !== undefined) compileRegex(args.notify_on, 'notify_on');
  if (args.session !== undefined) checkSessionName(args.session);
  for (const target of args.deliver_to ?? []) validateTarget(target);
  for (const key of Object.keys(args.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UserError(`env: "${key}" is not a valid variable name`, 'env');
    const size = envEntryBytes(key, args.env![key]);
    if (size > MAX_ENV_ENTRY) throw new UserError(`env: ${key} is ${formatBytes(size)}; a process cannot be started with a variable over 128 KiB (E2BIG). Pass large data in a file`, 'env');
  }
  // The session's shell where the call runs (this machine, or a configured backend's host, each its own):
  // its directory and exports, under this call's own cwd and env.
  const start = ctx.shells.start(ctx.session(), { cwd: args.cwd, env: args.env }, placeOf(ctx, args));
  return {
    command: args.command,
    cwd: start.cwd,
    env: start.env,
    env_unset: start.env_unset,
    shell_state: extra.foreground && ctx.shells.enabled,
    cwd_note: start.note,
    name: args.name ?? null,
    timeout_ms: args.timeout !== undefined ? Math.round(args.timeout * 1000) : undefined,
    pty: args.pty ?? true,
    backend: args.backend ?? null,
    host: args.host ?? null,
    origin: args.origin ?? ctx.clientName(),
    session: args.session ?? ctx.session(),
    deliver_to: args.deliver_to,
    notify_on: args.notify_on ?? null,
    foreground: extra.foreground,
    ...(args.persistent ? { persistent: true } : {}),
  };
}
