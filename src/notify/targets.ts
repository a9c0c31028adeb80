/**
 * deliver_to: where a completion notice goes beyond the agent's session.
 *   webhook:<http(s) url>    POST {notice, task} as JSON (env values redacted)
 *   command:<shell cmd>      run with {notice, task} as JSON on stdin; time-limited
 *   desktop                  notify-send, when installed
 *   slack:<webhook url>      Slack incoming webhook
 *   discord:<webhook url>    Discord webhook
 *   telegram:<chat id>       Telegram Bot API sendMessage (token from the user's config)
 *   ntfy:<topic url>         ntfy topic
 *   session                  the agent's own session (always on; accepted for clarity)
 * The URL targets carry secrets: a task stores them sealed (see vault.ts),
 * shown as "slack:https://hooks.slack.com/… (ref 0123456789ab)".
 */
import { UserError } from '../shared/errors.js';
import { isChatId } from './telegram.js';

const URL_KINDS = ['webhook', 'slack', 'discord', 'ntfy'] as const;
export type UrlKind = (typeof URL_KINDS)[number];

export type Target =
  | { kind: 'session' }
  | { kind: 'desktop' }
  | { kind: 'command'; command: string }
  | { kind: 'telegram'; chatId: string }
  | { kind: UrlKind; url: string };

export interface Delivery {
  target: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  at: string;
}

const KINDS_HELP = 'use slack:<webhook url>, discord:<webhook url>, telegram:<chat id>, ntfy:<topic url>, webhook:<url>, command:<shell command>, desktop or session';

function isUrlKind(kind: string): kind is UrlKind {
  return (URL_KINDS as readonly string[]).includes(kind);
}

/** What the user wrote, parsed; a UserError naming the problem otherwise. Never echoes a URL back: it may be a secret. */
export function parseTarget(spec: string): Target {
  if (spec === 'session') return { kind: 'session' };
  if (spec === 'desktop') return { kind: 'desktop' };
  const colon = spec.indexOf(':');
  const kind = colon > 0 ? spec.slice(0, colon) : '';
  const rest = colon > 0 ? spec.slice(colon + 1) : '';
  if (kind === 'command') {
    const command = rest.trim();
    if (!command) throw new UserError('deliver_to: "command:" needs a command after the colon', 'deliver_to');
    return { kind: 'command', command };
  }
  if (kind === 'telegram') {
    const chatId = rest.trim();
    if (!isChatId(chatId)) throw new UserError('deliver_to: "telegram:" takes a chat id: a number (negative for groups) or a public channel\'s @name', 'deliver_to');
    return { kind: 'telegram', chatId };
  }
  if (isUrlKind(kind)) {
    let parsed: URL;
    try {
      parsed = new URL(rest);
    } catch {
      throw new UserError(`deliver_to: the ${kind} target is not a valid URL (${kind}:https://…)`, 'deliver_to');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UserError(`deliver_to: ${kind} URLs must be http or https, got "${parsed.protocol}"`, 'deliver_to');
    return { kind, url: rest };
  }
  const shown = spec.length > 40 ? `${spec.slice(0, 39)}…` : spec;
  throw new UserError(`deliver_to: unknown target "${shown}" (${KINDS_HELP})`, 'deliver_to');
}

export function hasSecret(target: Target): target is { kind: UrlKind; url: string } {
  return isUrlKind(target.kind);
}

/** "slack:https://hooks.slack.com/…": a secret-bearing target as it may be shown, without its ref. */
export function redactedForm(target: Target & { url: string }): string {
  return `${target.kind}:${new URL(target.url).origin}/…`;
}

export function sealedForm(target: Target & { url: string }, ref: string): string {
  return `${redactedForm(target)} (ref ${ref})`;
}

const SEALED = /^(webhook|slack|discord|ntfy):(https?:\/\/[^\s/]+)\/… \(ref ([0-9a-f]{12})\)$/;

/** The vault ref of a sealed target, or null when `spec` is not one. */
export function sealedRef(spec: string): string | null {
  return SEALED.exec(spec)?.[3] ?? null;
}

/** Checks a deliver_to entry as written or as stored (sealed; the vault checks its ref when the task is created). */
export function validateTarget(spec: string): void {
  if (!sealedRef(spec)) parseTarget(spec);
}

/** How a target is shown anywhere a person or log may see it: secrets out. */
export function displayTarget(spec: string): string {
  if (sealedRef(spec)) return spec;
  try {
    const t = parseTarget(spec);
    return hasSecret(t) ? redactedForm(t) : spec;
  } catch {
    return spec.replace(/^(\w+):.*$/s, '$1:…');
  }
}
