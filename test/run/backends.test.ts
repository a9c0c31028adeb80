/**
 * The backend registry, and the local backends driven directly (no server):
 * each one starts a real process, streams its output, takes input and ends
 * its whole tree.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config.js';
import type { LaunchSpec, TaskProcess } from '../../src/run/backends/backend.js';
import { BUILT_IN_BACKENDS, backendNamed } from '../../src/run/backends/registry.js';
import { isAlive, processTable, taskProcesses } from '../../src/run/process-table.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const config = { ...configSchema.parse({}), dataDir: '/nonexistent' } as Config;

function spec(command: string, extra: Partial<LaunchSpec> = {}): LaunchSpec {
  return { id: '1', server: `test-${process.pid}`, marker: `test-${process.pid}:${Math.random()}`, kind: 'shell', command, prompt: null, runner: null, cwd: tempDir(), env: {}, envUnset: [], shellState: false, pty: true, timeout_ms: 60_000, config, ...extra };
}

function collect(proc: TaskProcess): { text: () => string; exit: Promise<{ exit_code: number | null; signal: string | null }> } {
  let out = '';
  proc.onData((c) => (out += c.toString()));
  return { text: () => out, exit: new Promise((r) => proc.onExit(r)) };
}

describe('backend registry', () => {
  it('has the built-in backends under their names', () => {
    expect(BUILT_IN_BACKENDS).toEqual(expect.arrayContaining(['pty', 'pipe', 'agent', 'sampling']));
    for (const name of BUILT_IN_BACKENDS) expect(backendNamed(name, config).name).toBe(name);
  });

  it('refuses an unknown backend, naming the known ones', () => {
    expect(() => backendNamed('nope', config)).toThrow(/unknown backend "nope" \(known: pty, pipe, agent, sampling/);
  });

  it('pty declares its fallback; a terminal backend merges streams', () => {
    expect(backendNamed('pty', config)).toMatchObject({ terminal: true, fallback: 'pipe' });
    expect(backendNamed('pipe', config)).toMatchObject({ terminal: false });
  });

  it('a local cwd that does not exist is refused before anything starts', () => {
    expect(() => backendNamed('pty', config).check!({ cwd: '/no/such/dir' })).toThrow(/cwd "\/no\/such\/dir" does not exist/);
  });
});

describe.each(['pty', 'pipe'])('%s backend', (name) => {
  it('streams output, takes input and reports the exit code', async () => {
    const proc = await backendNamed(name, config).start(spec('read line; echo "got $line"; exit 7', { pty: name === 'pty' }));
    const run = collect(proc);
    proc.write('hello\n');
    expect(await run.exit).toEqual({ exit_code: 7, signal: null });
    expect(run.text()).toContain('got hello');
  });

  it('sees a process blocked reading its input (unknown with ps), and terminate() ends the whole tree', async () => {
    const s = spec('(trap "" TERM; sleep 300) & read x', { pty: name === 'pty' });
    const proc = await backendNamed(name, config).start(s);
    const run = collect(proc);
    if (processTable().kind === 'proc') await waitFor(() => proc.waitingForInput(), 'the read');
    await waitFor(() => taskProcesses(null, s.marker).length >= 2, 'the tree');
    // ps cannot see a read() on stdin: "unknown", never a guess either way.
    if (processTable().kind === 'ps') expect(proc.waitingForInput()).toBeNull();
    const start = Date.now();
    await proc.terminate(300);
    const status = await run.exit;
    expect(status.signal ?? status.exit_code).toBeTruthy();
    expect(isAlive(proc.pid!)).toBe(false);
    // The grandchild that ignores SIGTERM went too (SIGKILL after the grace).
    expect(taskProcesses(null, s.marker)).toEqual([]);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});
