/** `http`: limits and the bearer token of `bgbash serve --http`. */
import { z } from 'zod';
import { duration } from './value-types.js';

export const httpSchema = z
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
  .prefault({});
