/**
 * One line read from a client, checked as a JSON-RPC 2.0 message before the
 * SDK sees it. What is wrong gets the JSON-RPC error for it: -32700 for a
 * line that is not JSON (cut mid-way, a stray byte), -32600 for JSON that is
 * not a message (a batch array, an object id, `id: 1e400`, no method), with
 * the request's id when it can be told and null when it cannot (JSON-RPC 2.0,
 * section 5). The SDK's own ReadBuffer answered none of these: it printed a
 * zod dump on stderr, or nothing at all.
 */
import { parseJSONRPCMessage, type JSONRPCMessage } from '@modelcontextprotocol/server';

export type Id = string | number;

const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

export type Checked =
  | { ok: true; message: JSONRPCMessage }
  /** `answer: false`: a response (a client's answer to us) is never answered back, only reported. */
  | { ok: false; id: Id | null; code: number; message: string; answer: boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The SDK's ids: a string, or an integer a double holds exactly (zod 4's int()). */
export const validId = (v: unknown): v is Id => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v));

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isFinite(v) ? `a number (${v})` : 'a number too large for a double (it reads as Infinity)';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** What an id that is no id is: a number says why it is not one. */
function idKind(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return kind(v);
  return Number.isInteger(v) ? `${v}, beyond the integers a double holds exactly (2^53 - 1)` : `${v}, not a whole number`;
}

export function parseLine(line: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, id: null, code: PARSE_ERROR, message: `Parse error: not a JSON-RPC message (${(err as Error).message}); each line must be one whole JSON object`, answer: true };
  }
  return checkMessage(value);
}

function checkMessage(value: unknown): Checked {
  const invalid = (message: string, id: Id | null = null, answer = true): Checked => ({ ok: false, id, code: INVALID_REQUEST, message: `Invalid Request: ${message}`, answer });
  if (Array.isArray(value)) {
    return invalid(value.length === 0 ? 'an empty batch array' : 'batch arrays are not part of MCP (removed in 2025-06-18): send each message as its own line');
  }
  if (!isObject(value)) return invalid(`a JSON-RPC message is an object, got ${kind(value)}`);
  const id = 'id' in value ? value.id : undefined;
  const knownId = validId(id) ? id : null;
  if (id !== undefined && !validId(id)) return invalid(`"id" must be a string or an integer, got ${idKind(id)}`);
  if (value.jsonrpc !== '2.0') return invalid(`"jsonrpc" must be "2.0", got ${JSON.stringify(value.jsonrpc) ?? 'nothing'}`, knownId);
  const isResponse = !('method' in value) && ('result' in value || 'error' in value);
  if (!isResponse) {
    if (!('method' in value)) return invalid('a message needs a "method" (a request or notification), or a "result" or "error" (a response)', knownId);
    if (typeof value.method !== 'string') return invalid(`"method" must be a string, got ${kind(value.method)}`, knownId);
    if ('params' in value && !isObject(value.params)) return invalid(`"params" must be an object, got ${kind(value.params)}`, knownId);
  }
  try {
    return { ok: true, message: parseJSONRPCMessage(value) };
  } catch (err) {
    return invalid(firstIssue(err), knownId, !isResponse);
  }
}

/** The first problem zod found, in one line ("params._meta.progressToken: Invalid input"), not its whole report. */
function firstIssue(err: unknown): string {
  const issues = (err as { issues?: Array<{ path?: PropertyKey[]; message?: string; keys?: string[]; errors?: unknown[][] }> }).issues;
  if (!Array.isArray(issues) || issues.length === 0) return (err as Error).message;
  // A union (request | notification | response) reports each branch: the one with the fewest complaints is the nearest.
  let issue = issues[0];
  if (issue.errors?.length) {
    const branches = issue.errors as Array<typeof issues>;
    const nearest = branches.reduce((a, b) => (b.length < a.length ? b : a));
    if (nearest[0]) issue = nearest[0];
  }
  const where = issue.path?.length ? `${issue.path.map(String).join('.')}: ` : '';
  if (issue.keys?.length) return `${where}unexpected member${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${where}${issue.message ?? 'not a JSON-RPC message'}`;
}
