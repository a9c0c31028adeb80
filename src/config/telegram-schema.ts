/** `telegram`: the bot that sends telegram:<chat id> targets, and where its API is. */
import { z } from 'zod';

export const telegramSchema = z
  .object({
    token: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token looks like 123456789:AAE… (from @BotFather)').optional(),
    apiBase: z
      .string()
      .refine((v) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), 'must be an http(s) URL, e.g. https://api.telegram.org')
      .default('https://api.telegram.org'),
  })
  .strict()
  .prefault({});
