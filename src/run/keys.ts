/** Named keys an agent can send to a task's terminal, as the bytes a terminal sends. */

export const KEYS: Record<string, string> = {
  enter: '\r',
  return: '\r',
  tab: '\t',
  esc: '\x1b',
  escape: '\x1b',
  space: ' ',
  backspace: '\x7f',
  delete: '\x1b[3~',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
};

/** Bytes for `enter`, `ctrl-c`, `up`…; null for a name it does not know. */
export function keyBytes(name: string): string | null {
  const key = name.trim().toLowerCase().replace(/[+_ ]/g, '-');
  if (key in KEYS) return KEYS[key];
  const ctrl = /^(?:ctrl|c|control)-([a-z@\[\\\]^_])$/.exec(key);
  if (ctrl) return String.fromCharCode(ctrl[1].toUpperCase().charCodeAt(0) - 64);
  return null;
}

export const KEY_NAMES = [...Object.keys(KEYS), 'ctrl-a … ctrl-z'];
