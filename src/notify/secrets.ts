/**
 * Which values of the environment the server (and so every task) runs in are
 * secrets, so that a notice sent beyond the session (deliver_to: chat services,
 * webhooks, commands, the desktop) never carries one, even when the command
 * printed it. The agent itself has these values already; the people and
 * services a notice goes to do not.
 *
 * A value is a secret when
 * - its variable's name says so (a part of the name, split at "_", is or
 *   contains TOKEN, SECRET, PASSWORD, …; or is KEY, PASS, PWD, AUTH, …) and
 *   the value looks like one: at least MIN_NAMED_SECRET characters, not a
 *   path, not a number, not one plain word ("production", "enabled");
 * - or the value alone looks like one, whatever the name: a known token
 *   prefix (sk-, ghp_, xoxb-, AKIA, …), a URL with a password in it, or a long
 *   run of mixed letters and digits (MIN_OPAQUE_SECRET or more).
 *
 * Why 8: it is the shortest length password rules and token formats commonly
 * allow, and a value that short under a secret-sounding name is far more often
 * a setting ("1", "true", "dev", "3600", "admin") than a credential; masking
 * those would blank ordinary words in every notice.
 */

export const MIN_NAMED_SECRET = 8;
export const MIN_OPAQUE_SECRET = 32;

/** Parts of a name that always mean a secret when a name part contains them. */
const SECRET_PART = /TOKEN|SECRET|PASSW(?:OR)?D|PASSPHRASE|CREDENTIAL|APIKEY|ACCESSKEY|PRIVATEKEY|COOKIE/;
/** Name parts that mean a secret only when they are the whole part ("KEY", not "KEYBOARD"). */
const SECRET_WORD = new Set(['KEY', 'KEYS', 'PASS', 'PWD', 'AUTH', 'PAT', 'DSN']);
/** The shell's own names that look like secrets and are not: the working directories. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/** Token formats of well-known services (OpenAI, Stripe, GitHub, GitLab, Slack, AWS, Google, npm, Hugging Face, PyPI, SendGrid, DigitalOcean). */
const KNOWN_PREFIX = /^(?:sk-|sk_(?:live|test)_|rk_live_|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AKIA|ASIA|AIza|npm_|hf_|pypi-|SG\.|dop_v1_)/;
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;

export function secretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET.has(upper)) return false;
  return upper.split(/_+/).some((part) => SECRET_WORD.has(part) || SECRET_PART.test(part));
}

/** A value that is a secret wherever it is found, whatever its variable is called. */
export function secretValue(value: string): boolean {
  if (/\s/.test(value) || value.length < MIN_NAMED_SECRET) return false;
  if (CREDENTIAL_URL.test(value)) return true;
  if (KNOWN_PREFIX.test(value) && value.length >= 20) return true;
  return value.length >= MIN_OPAQUE_SECRET && /^[A-Za-z0-9+_=.-]+$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

/** A value under a secret's name that is worth masking: long enough, and not a path, a number or one plain word. */
function maskable(value: string): boolean {
  if (value.length < MIN_NAMED_SECRET) return false;
  if (/^[/~.]/.test(value)) return false;
  if (/^\d+$/.test(value)) return false;
  if (/^[A-Za-z][a-z]*$/.test(value) || /^[A-Z]+$/.test(value)) return false;
  return true;
}

/** The environment's secrets, as [name, value] pairs. */
export function environmentSecrets(env: NodeJS.ProcessEnv): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') continue;
    if ((secretName(name) && maskable(value)) || secretValue(value)) out.push([name, value]);
  }
  return out;
}

/** Replaces every value found in `text` with `$NAME`, longest values first (a value inside another is not half-masked). */
export function maskValues(text: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [name, value] of [...pairs].sort((a, b) => b[1].length - a[1].length)) {
    if (value && out.includes(value)) out = out.split(value).join(`$${name}`);
  }
  return out;
}

/** Every string inside a JSON-like value masked (for the task record sent to webhooks and commands). */
export function maskDeep<T>(value: T, pairs: ReadonlyArray<readonly [string, string]>): T {
  if (typeof value === 'string') return maskValues(value, pairs) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, pairs)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, pairs)])) as T;
  return value;
}
