/** `runners`: agent CLIs that answer prompt tasks, by name (presets are in run/runners.ts). */
import { z } from 'zod';

export const runnersSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'runner names: letters, digits, "_" and "-"'),
    z
      .object({
        /** argv; "{prompt}" and "{cwd}" inside an element are replaced, never through a shell. */
        command: z.array(z.string()).min(1),
        parse: z.enum(['text', 'json', 'stream-json']).default('text'),
        /** json / stream-json: where the answer is, e.g. "result" or "item.text". */
        result: z.string().optional(),
        /** stream-json: only events where PATH=VALUE count for the result, e.g. "item.type=agent_message". */
        where: z.string().optional(),
        /** json / stream-json: where the usage is (summed over stream events). */
        tokens: z.object({ input: z.string().optional(), output: z.string().optional() }).strict().optional(),
        /** json / stream-json: a path whose truthy value means the run failed (its text, when a string, is the error). */
        error: z.string().optional(),
        env: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
  )
  .default({});
