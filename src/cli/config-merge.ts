/** Adding bgbash to an agent's config file without touching what is already there. */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './context.js';

export interface Change {
  file: string;
  what: string;
  changed: boolean;
}

export function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8');
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`${file} is not a JSON object (${(err as Error).message}); fix it, or add bgbash by hand`);
  }
}

function objectAt(root: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = root[key];
  if (v === undefined) return (root[key] = {});
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`"${key}" is not an object; add bgbash by hand`);
  return v as Record<string, unknown>;
}

/** Sets root[section][name] = entry unless an entry by that name exists. */
export function addEntry(root: Record<string, unknown>, section: string, name: string, entry: unknown): boolean {
  const obj = objectAt(root, section);
  if (name in obj) return false;
  obj[name] = entry;
  return true;
}

/** Adds a hook group for each event unless a hook running `command` is there already. */
export function addHooks(root: Record<string, unknown>, events: Record<string, Record<string, unknown>>, command: string): string[] {
  const hooks = objectAt(root, 'hooks');
  const added: string[] = [];
  for (const [event, group] of Object.entries(events)) {
    const list = (hooks[event] ??= []) as unknown[];
    if (!Array.isArray(list)) throw new CliError(`hooks.${event} is not a list; add the bgbash hook by hand`);
    if (JSON.stringify(list).includes(command)) continue;
    list.push(group);
    added.push(event);
  }
  return added;
}

export function writeFile(file: string, text: string, dryRun: boolean): void {
  if (dryRun) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.bgbash.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeJson(file: string, value: unknown, dryRun: boolean): void {
  writeFile(file, JSON.stringify(value, null, 2) + '\n', dryRun);
}
