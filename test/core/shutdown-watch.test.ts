import { describe, expect, it } from 'vitest';
import { diedOfSessionEnd, ShutdownWatch } from '../../src/core/shutdown-watch.js';

describe('deaths that may be a session ending', () => {
  it('SIGTERM, SIGKILL, SIGHUP, and a shell reporting one of them (128 + n)', () => {
    for (const signal of ['SIGTERM', 'SIGKILL', 'SIGHUP']) expect(diedOfSessionEnd({ exit_code: null, signal })).toBe(true);
    for (const exit_code of [143, 137, 129]) expect(diedOfSessionEnd({ exit_code, signal: null })).toBe(true);
  });

  it('not an exit of its own, nor a Ctrl+C', () => {
    for (const exit_code of [0, 1, 2, 127, 130]) expect(diedOfSessionEnd({ exit_code, signal: null })).toBe(false);
    expect(diedOfSessionEnd({ exit_code: null, signal: 'SIGINT' })).toBe(false);
    expect(diedOfSessionEnd({ exit_code: null, signal: 'SIGSEGV' })).toBe(false);
  });
});

describe('ShutdownWatch', () => {
  it('a waiter learns of a shutdown that begins while it waits', async () => {
    const w = new ShutdownWatch();
    const waiting = w.within(60_000);
    w.begin();
    await expect(waiting).resolves.toBe(true);
    await expect(w.within(60_000)).resolves.toBe(true);
    expect(w.begun).toBe(true);
  });

  it('without a shutdown, the wait ends with false', async () => {
    await expect(new ShutdownWatch().within(10)).resolves.toBe(false);
  });
});
