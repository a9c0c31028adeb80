/** Adding bgbash to an agent's config file without touching what is already there. */
import fs from 'node:fs';
import path from 'node:path';
import { isOurHook } from './agent-configs.js';
import { CliError } from './context.js';

export interface Change {
  file: string;
  what: string;
  changed: boolean;
  /** The file was left alone because bgbash cannot read or edit it (the command exits 1). */
  problem?: boolean;
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

/** Adds a hook group for each event unless a hook `already` accepts is there. */
export function addHooks(root: Record<string, unknown>, events: Record<string, Record<string, unknown>>, already: (command: string) => boolean): string[] {
  const hooks = objectAt(root, 'hooks');
  const added: string[] = [];
  for (const [event, group] of Object.entries(events)) {
    const list = (hooks[event] ??= []) as unknown[];
    if (!Array.isArray(list)) throw new CliError(`hooks.${event} is not a list; add the bgbash hook by hand`);
    if (hasHook(list, already)) continue;
    list.push(group);
    added.push(event);
  }
  return added;
}

/** Where a write to `file` lands: the file a symlink points at (a dotfile managed by stow stays a link), else `file`. */
function writeTarget(file: string): string {
  let target = file;
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(target);
    } catch {
      return target; // not there yet (a dangling link's target is created)
    }
    if (!st.isSymbolicLink()) return target;
    target = path.resolve(path.dirname(target), fs.readlinkSync(target));
  }
  throw new CliError(`${file}: too many levels of symbolic links`);
}

/**
 * Replaces a config file's text whole (a temp file renamed over it: never half written), through a symlink to its
 * target, keeping the old file's permissions (a 0600 ~/.claude.json stays 0600).
 */
export function writeFile(file: string, text: string, dryRun: boolean): void {
  if (dryRun) return;
  const target = writeTarget(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let mode: number | undefined;
  try {
    mode = fs.statSync(target).mode & 0o7777;
  } catch {
    /* a new file: the umask decides, as for any file the user creates */
  }
  const tmp = `${target}.bgbash.tmp`;
  fs.rmSync(tmp, { force: true });
  // Created with the old mode (the umask can only narrow it), so the text is never readable by more than before.
  fs.writeFileSync(tmp, text, { flag: 'wx', mode: mode ?? 0o666 });
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, target);
}

export function writeJson(file: string, value: unknown, dryRun: boolean): void {
  writeFile(file, JSON.stringify(value, null, 2) + '\n', dryRun);
}

type HookEntry = { command?: unknown };
type HookGroup = { hooks?: unknown };

function hasHook(groups: unknown[], test: (command: string) => boolean): boolean {
  return groups.some((g) => !!g && typeof g === 'object' && Array.isArray((g as HookGroup).hooks) && ((g as HookGroup).hooks as HookEntry[]).some((h) => !!h && typeof h.command === 'string' && test(h.command)));
}

/** Each hook entry of a parsed hooks file, with the event it is under. */
function eachHook(root: Record<string, unknown>, visit: (event: string, group: HookGroup, hook: HookEntry) => void): void {
  const hooks = root.hooks;
  if (!hooks || typeof hooks !== 'object' || Array.isArray(hooks)) return;
  for (const [event, groups] of Object.entries(hooks as Record<string, unknown>)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups as HookGroup[]) {
      if (!g || typeof g !== 'object' || !Array.isArray(g.hooks)) continue;
      for (const h of g.hooks as HookEntry[]) if (h && typeof h === 'object') visit(event, g, h);
    }
  }
}

/**
 * Hook commands an earlier `bgbash install` wrote (`npx -y bgbash-mcp hook codex`, `bgbash hook codex`, a node +
 * path; see isOurHook) are brought to `command` (keeping ` --wake`); anyone else's stay. Returns the events changed.
 */
export function updateHooks(root: Record<string, unknown>, agent: string, command: string): string[] {
  const changed = new Set<string>();
  eachHook(root, (event, _g, h) => {
    if (typeof h.command !== 'string' || !isOurHook(h.command, agent)) return;
    const next = `${command}${h.command.endsWith(' --wake') ? ' --wake' : ''}`;
    if (h.command !== next) {
      h.command = next;
      changed.add(event);
    }
  });
  return [...changed];
}

/** Takes out every hook bgbash install wrote for `agent` (and groups and events left empty); returns the events it touched. */
export function removeHooks(root: Record<string, unknown>, agent: string): string[] {
  const touched = new Set<string>();
  const hooks = root.hooks;
  if (!hooks || typeof hooks !== 'object' || Array.isArray(hooks)) return [];
  const all = hooks as Record<string, unknown>;
  for (const [event, groups] of Object.entries(all)) {
    if (!Array.isArray(groups)) continue;
    const kept = groups.filter((g: HookGroup) => {
      if (!g || typeof g !== 'object' || !Array.isArray(g.hooks)) return true;
      const before = g.hooks.length;
      g.hooks = (g.hooks as HookEntry[]).filter((h) => !(h && typeof h.command === 'string' && isOurHook(h.command, agent)));
      if ((g.hooks as unknown[]).length === before) return true;
      touched.add(event);
      return (g.hooks as unknown[]).length > 0;
    });
    if (kept.length) all[event] = kept;
    else if (touched.has(event)) delete all[event];
  }
  if (Object.keys(all).length === 0 && touched.size) delete root.hooks;
  return [...touched];
}
