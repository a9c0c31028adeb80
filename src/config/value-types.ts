/** Config values people write as text: durations ("30m", "90s") and sizes ("64MiB"), checked and turned into numbers. */
import { z } from 'zod';
import { parseDuration, parseSize } from '../shared/units.js';

export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (try "30m", "90s", "1h30m" or a number of seconds)` });
    return z.NEVER;
  }
  return ms;
});
export const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a size (try "64MiB", "500KB" or a number of bytes)` });
    return z.NEVER;
  }
  return n;
});
