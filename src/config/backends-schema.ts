/** `backends`: named places to run tasks besides this machine (run/backends/registry.ts instantiates them by `type`). */
import { z } from 'zod';

export const backendsSchema = z
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
  .default({});
