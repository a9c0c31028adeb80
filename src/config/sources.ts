/** Reading config sources: JSON files, and the text of env vars and flags set at a dotted key, merged in order. */
import fs from 'node:fs';

/** A config problem a person can fix; the message names the key or file. */
export class ConfigError extends Error {}

export function readJsonFile(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

export function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** "10" → 10, "true" → true, "[...]"/"a,b" → list: the value a flag or env var text stands for. */
export function coerce(text: string, type: 'number' | 'string' | 'boolean' | 'list' | 'auto'): unknown {
  if (type === 'string') return text;
  if (type === 'list') return text.trim().startsWith('[') ? JSON.parse(text) : text.split(',').map((s) => s.trim()).filter(Boolean);
  if (type === 'boolean') return text === 'true' || text === '1' || text === 'yes';
  if (type === 'number') return Number(text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
