/**
 * One HTTP POST to a notification service, retried with exponential backoff
 * on 429, 5xx and network errors, waiting what the service asks for
 * (`Retry-After`, or a hint in its JSON answer) when it says so. Secrets in
 * the URL (webhook paths, bot tokens) are scrubbed from every message this
 * returns, so an error can be recorded and printed as it is.
 */

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Strings that must not appear in errors or answers (tokens, webhook URLs). */
  secrets: string[];
  /** A service's own retry hint in its answer body, in ms (Discord's and Telegram's `retry_after`). */
  retryHint?: (body: string) => number | null;
  /** Chat services answer where they are; a generic webhook may move (http → https). Default 'error'. */
  redirect?: 'follow' | 'error';
}

export interface RetryPolicy {
  attempts: number;
  timeoutMs: number;
  /** First backoff; doubled each retry. */
  backoffMs: number;
  /** Longest wait a service may ask for; beyond it, give up rather than hold the notice for long. */
  maxRetryAfterMs: number;
}

export interface PostResult {
  ok: boolean;
  attempts: number;
  /** HTTP status of the last answer; null when no answer came. */
  status: number | null;
  /** "HTTP 200 OK: ok" — the last answer, short. */
  answer: string | null;
  error: string | null;
}

const ANSWER_MAX = 500;

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets.filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join('•••');
  return out;
}

/** Retry-After: delta-seconds (fractions allowed) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function networkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function postWithRetry(req: PostRequest, policy: RetryPolicy): Promise<PostResult> {
  let last: PostResult = { ok: false, attempts: 0, status: null, answer: null, error: 'not sent' };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let wait = policy.backoffMs * 2 ** (attempt - 1);
    try {
      const res = await fetch(req.url, { method: 'POST', headers: { 'user-agent': 'bgbash', ...req.headers }, body: req.body, redirect: req.redirect ?? 'error', signal: AbortSignal.timeout(policy.timeoutMs) });
      const body = await res.text().catch(() => '');
      const answer = scrub(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${body.trim() ? `: ${body.trim().slice(0, ANSWER_MAX)}` : ''}`, req.secrets);
      if (res.ok) return { ok: true, attempts: attempt, status: res.status, answer, error: null };
      last = { ok: false, attempts: attempt, status: res.status, answer, error: answer };
      if (!retryable(res.status)) return last;
      const asked = parseRetryAfter(res.headers.get('retry-after')) ?? req.retryHint?.(body) ?? null;
      if (asked !== null) {
        if (asked > policy.maxRetryAfterMs) return { ...last, error: `${answer} (the service asked to wait ${Math.ceil(asked / 1000)} s; gave up)` };
        wait = Math.max(asked, 50);
      }
    } catch (err) {
      last = { ok: false, attempts: attempt, status: null, answer: null, error: scrub(networkError(err), req.secrets) };
    }
    if (attempt < policy.attempts) await sleep(wait);
  }
  return last;
}
