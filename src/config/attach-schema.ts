/** `attach`: the key that detaches the agent's foreground run in `bgbash attach`. */
import { z } from 'zod';

/** The byte of a control key named like "ctrl-b"; null for anything else, and for ctrl-] (attach's leave key). */
export function detachKeyByte(name: string): number | null {
  const m = /^(?:ctrl|control|c)[-+]([a-z@\\^_])$/i.exec(name.trim());
  return m ? m[1].toUpperCase().charCodeAt(0) - 64 : null;
}

export const attachSchema = z
  .object({
    /** The key that detaches the agent's foreground run in `bgbash attach`: a control key, e.g. "ctrl-g" to keep tmux's Ctrl+B prefix free. */
    detachKey: z
      .string()
      .refine((k) => detachKeyByte(k) !== null, 'a control key such as "ctrl-b" or "ctrl-g" (not ctrl-], which leaves)')
      .default('ctrl-b'),
  })
  .strict()
  .prefault({});
