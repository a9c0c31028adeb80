/**
 * The layering of docs/ARCHITECTURE.md, checked on the real import graph of
 * src/: the test reads the doc's `layers` block (so the doc and the check
 * never disagree) and every import, static, dynamic or type-only, as
 * TypeScript's own pre-processor finds them.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');

interface Layers {
  /** A src-relative folder ("core/") or file ("config.ts") → its rank, higher = upper. */
  rank: Map<string, number>;
  leaves: Set<string>;
}

function readLayers(doc: string): Layers {
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/ARCHITECTURE.md has no ```layers block');
  const lines = block[1].split('\n').filter((l) => l.trim() !== '');
  const rank = new Map<string, number>();
  const leaves = new Set<string>();
  const layerLines = lines.filter((l) => !l.startsWith('leaves:'));
  layerLines.forEach((line, i) => {
    // Names first, then two or more spaces and the prose; names are folders ("x/") or files ("x.ts").
    for (const name of line.split(/\s{2,}/).filter((t) => /^[\w.-]+(\/|\.ts)$/.test(t))) rank.set(name, layerLines.length - i);
  });
  for (const line of lines.filter((l) => l.startsWith('leaves:'))) for (const name of line.slice(7).trim().split(/\s+/)) leaves.add(name);
  return { rank, leaves };
}

/** The layer name of a src-relative path: its top folder ("core/"), or the file itself at the top. */
function layerOf(rel: string): string {
  const [head, ...rest] = rel.split('/');
  return rest.length ? `${head}/` : head;
}

/** A file and the folder of the same name (config.ts, config/) are one unit. */
const unitOf = (layer: string): string => layer.replace(/(\.ts|\/)$/, '');

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // packages and node: builtins
      const target = path.resolve(path.dirname(file), fileName).replace(/\.js$/, '.ts');
      edges.push({ from: path.relative(SRC, file), to: path.relative(SRC, target) });
    }
  }
  return edges;
}

/** What is wrong with an import, or null when the layering allows it. */
function violation(e: Edge, layers: Layers): string | null {
  if (e.to.startsWith('..')) return `${e.from} imports ${e.to}, outside src/`;
  const isLeaf = (f: string): boolean => layers.leaves.has(f);
  if (isLeaf(e.from)) return isLeaf(e.to) ? null : `leaf ${e.from} imports ${e.to}, which is not a leaf`;
  if (isLeaf(e.to)) return null;
  const a = layerOf(e.from);
  const b = layerOf(e.to);
  const ra = layers.rank.get(a);
  const rb = layers.rank.get(b);
  if (ra === undefined) return `${e.from}: ${a} has no layer in docs/ARCHITECTURE.md`;
  if (rb === undefined) return `${e.to}: ${b} has no layer in docs/ARCHITECTURE.md`;
  if (unitOf(a) === unitOf(b) || ra > rb) return null;
  return `${e.from} (${a}) imports ${e.to} (${b}), ${ra === rb ? 'a layer beside it' : 'a layer above it'}`;
}

const layers = readLayers(fs.readFileSync(path.join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8'));

describe('architecture: imports point down the layers of docs/ARCHITECTURE.md', () => {
  it('reads the layers from the doc', () => {
    expect(layers.rank.get('cli/')).toBeGreaterThan(layers.rank.get('tui/')!);
    expect(layers.rank.get('tui/')).toBeGreaterThan(layers.rank.get('mcp/')!);
    expect(layers.rank.get('core/')).toBeGreaterThan(layers.rank.get('run/')!);
    expect(layers.rank.get('run/')).toBeGreaterThan(layers.rank.get('store/')!);
    expect(layers.rank.get('store/')).toBeGreaterThan(layers.rank.get('shared/')!);
    expect(layers.leaves.has('version.ts')).toBe(true);
  });

  it('tells a wrong import from a right one', () => {
    const bad: Edge[] = [
      { from: 'tui/source.ts', to: 'cli/commands/list.ts' },
      { from: 'store/servers.ts', to: 'run/proc.ts' },
      { from: 'store/recovery.ts', to: 'core/lifecycle.ts' },
      { from: 'core/manager.ts', to: 'notify/vault.ts' },
      { from: 'mcp/server.ts', to: 'control/server.ts' },
      { from: 'shared/task.ts', to: 'store/records.ts' },
      { from: 'newfolder/x.ts', to: 'core/task-lookup.ts' },
    ];
    for (const e of bad) expect(violation(e, layers), `${e.from} → ${e.to}`).not.toBeNull();
    const good: Edge[] = [
      { from: 'cli/commands/tasks.ts', to: 'tui/source.ts' },
      { from: 'store/records.ts', to: 'shared/task.ts' },
      { from: 'run/runners.ts', to: 'shared/errors.ts' },
      { from: 'core/recovery.ts', to: 'run/backends/registry.ts' },
      { from: 'config.ts', to: 'config/http-schema.ts' },
    ];
    for (const e of good) expect(violation(e, layers), `${e.from} → ${e.to}`).toBeNull();
  });

  it('src/ has no import against the layers', () => {
    const edges = importEdges();
    // The scan sees the code: a broken scan finding nothing would pass anything.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'tui/source.ts', to: 'control/discovery.ts' });
    expect(edges.map((e) => violation(e, layers)).filter(Boolean)).toEqual([]);
  });
});

/** Groups of files that import each other round (strongly connected components of more than one file), as file lists. */
function importCycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('architecture: no import cycles', () => {
  it('finds a cycle when there is one', () => {
    expect(importCycles([{ from: 'a.ts', to: 'b.ts' }, { from: 'b.ts', to: 'c.ts' }, { from: 'c.ts', to: 'a.ts' }, { from: 'c.ts', to: 'd.ts' }])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('src/ has none, type-only imports included', () => {
    expect(importCycles(importEdges())).toEqual([]);
  });
});
