/**
 * Session names: they name the inbox directory a session's notices wait in
 * (inbox/<session>/), so they are checked like any path part — letters,
 * digits, ".", "_" and "-", 1 to 64 of them, and never "." or "..".
 */
import { z } from 'zod';
import { UserError } from './errors.js';

const SESSION_RE = /^[A-Za-z0-9._-]{1,64}$/;
const RULE = 'letters, digits, ".", "_" and "-" only, 1 to 64 of them, and not "." or ".."';

export function isSessionName(value: unknown): boolean {
  return typeof value === 'string' && SESSION_RE.test(value) && value !== '.' && value !== '..';
}

/** The name, or an error naming `field` and the rule. */
export function checkSessionName(value: string, field = 'session'): string {
  if (!isSessionName(value)) throw new UserError(`${field}: ${JSON.stringify(value.slice(0, 80))} is not a session name (${RULE})`, field);
  return value;
}

export const sessionNameSchema = z.string().refine(isSessionName, { message: `not a session name (${RULE})` });
