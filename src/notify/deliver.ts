/**
 * Sends one ended task's notice to one deliver_to target: each service gets
 * the shape it documents (slack.ts, discord.ts, telegram.ts, ntfy.ts),
 * webhooks and commands get {notice, task} as JSON with env values redacted.
 * Never throws: the outcome is a Delivery, recorded on the task by the caller.
 */
import type { EndedTask } from '../shared/task.js';
import { discordRequest } from './discord.js';
import { postWithRetry, scrub, type PostResult, type RetryPolicy } from './http-post.js';
import { desktopNotice, runCommand } from './local-targets.js';
import { endNotice } from './notice.js';
import { ntfyRequest } from './ntfy.js';
import { buildReport, deliveryMasks, headline, publicTask, statusLine, type EndReport } from './report.js';
import { maskValues } from './secrets.js';
import { slackRequest } from './slack.js';
import { telegramRequest, TELEGRAM_API, type TelegramSettings } from './telegram.js';
import { displayTarget, hasSecret, parseTarget, type Delivery, type Target } from './targets.js';
import type { TargetVault } from './vault.js';

export interface DeliverySettings {
  policy: RetryPolicy;
  commandTimeoutMs: number;
  telegram: TelegramSettings;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  policy: { attempts: 3, timeoutMs: 5000, backoffMs: 250, maxRetryAfterMs: 30_000 },
  commandTimeoutMs: 10_000,
  telegram: { token: undefined, apiBase: TELEGRAM_API },
};

/** What every target of one ended task is built from; made once per task. */
export interface Prepared {
  task: EndedTask;
  report: EndReport;
  /** {notice, task} for webhook and command targets. */
  json: string;
}

/** `environment`: the one the task ran in (the server's); its secrets are masked in what is sent, as the task's own env values are. */
export function prepare(task: EndedTask, tail: string[], host?: string, environment: NodeJS.ProcessEnv = process.env): Prepared {
  const masks = deliveryMasks(task.env, environment);
  const notice = endNotice(task, tail);
  const clean = { ...notice, label: maskValues(notice.label, masks), text: maskValues(notice.text, masks), error: notice.error === null ? null : maskValues(notice.error, masks) };
  return { task, report: buildReport(task, tail, host, masks), json: JSON.stringify({ notice: clean, task: publicTask(task, masks) }) };
}

export interface SendOutcome {
  ok: boolean;
  attempts: number;
  error: string | null;
  /** What the service answered, for `bgbash notify-test`. */
  answer: string | null;
}

function fromPost(r: PostResult): SendOutcome {
  return { ok: r.ok, attempts: r.attempts, error: r.error, answer: r.answer };
}

function local(error: string | null, attempts = 1): SendOutcome {
  return { ok: error === null, attempts, error, answer: error === null ? 'done' : null };
}

/** null for the session target: the agent's own notice path handles it. */
export async function sendTo(target: Target, p: Prepared, s: DeliverySettings): Promise<SendOutcome | null> {
  switch (target.kind) {
    case 'session':
      return null;
    case 'slack':
      return fromPost(await postWithRetry(slackRequest(target.url, p.report), s.policy));
    case 'discord':
      return fromPost(await postWithRetry(discordRequest(target.url, p.report), s.policy));
    case 'ntfy':
      return fromPost(await postWithRetry(ntfyRequest(target.url, p.report), s.policy));
    case 'telegram': {
      const token = s.telegram.token;
      if (!token) return local('no Telegram bot token: set BGBASH_TELEGRAM_TOKEN or "telegram": {"token": …} in your user config (~/.config/bgbash/config.json)', 0);
      return fromPost(await postWithRetry(telegramRequest(target.chatId, { ...s.telegram, token }, p.report), s.policy));
    }
    case 'webhook':
      return fromPost(await postWithRetry({ url: target.url, headers: { 'content-type': 'application/json' }, body: p.json, secrets: [target.url], redirect: 'follow' }, s.policy));
    case 'command':
      return local(await runCommand(target.command, p.json, s.commandTimeoutMs, p.task.cwd));
    case 'desktop':
      return local(await desktopNotice(headline(p.report), `${p.report.label}\n${statusLine(p.report)}`));
  }
}

/** One stored deliver_to entry: opened through the vault, sent, and told as a Delivery (target shown redacted). */
export async function deliver(stored: string, p: Prepared, s: DeliverySettings, vault: TargetVault): Promise<Delivery | null> {
  const at = (): string => new Date().toISOString();
  const shown = displayTarget(stored);
  let target: Target;
  try {
    target = parseTarget(vault.open(stored));
  } catch (err) {
    return { target: shown, ok: false, attempts: 0, error: (err as Error).message, at: at() };
  }
  try {
    const r = await sendTo(target, p, s);
    return r && { target: shown, ok: r.ok, attempts: r.attempts, error: r.error, at: at() };
  } catch (err) {
    const secrets = hasSecret(target) ? [target.url] : [];
    return { target: shown, ok: false, attempts: 0, error: scrub(`could not send: ${(err as Error).message}`, secrets), at: at() };
  }
}
