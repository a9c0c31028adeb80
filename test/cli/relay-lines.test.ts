/**
 * The front-end's relay (cli/relay-lines.ts) when its daemon dies: the
 * requests still waiting get one error answer each, and nothing of the dead
 * daemon's unfinished line reaches the client. The line-level cases a real
 * crash hits only by chance (kill -9 in the middle of a line) are driven
 * here with the bytes themselves; test/e2e/daemon.test.ts kills real daemons.
 */
import { describe, expect, it } from 'vitest';
import { LineTracker } from '../../src/cli/relay-lines.js';

const line = (msg: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
const answers = (text: string): any[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('the relay after its daemon died', () => {
  it('a half-written line of the dead daemon is dropped, not glued to the new daemon\'s first line', () => {
    const lines = new LineTracker();
    lines.fromClient(line({ id: 1, method: 'tools/call', params: {} }));
    const whole = line({ id: 1, result: { content: [] } });
    // The daemon dies 10 bytes into its answer: nothing of it is passed on yet.
    expect(lines.fromDaemon(whole.subarray(0, 10)).length).toBe(0);
    expect(answers(lines.orphaned('gone'))).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'gone' } }]);
    // The new daemon's first line goes out whole, and parses.
    const next = line({ id: 2, result: { ok: true } });
    lines.fromClient(line({ id: 2, method: 'ping' }));
    expect(lines.fromDaemon(next).toString()).toBe(next.toString());
  });

  it('the opening request the launcher answered itself is not answered again with an error', () => {
    const lines = new LineTracker(0);
    lines.fromClient(Buffer.concat([line({ id: 0, method: 'server/discover', params: {} }), line({ id: 1, method: 'tools/list' })]));
    // A later request that reuses the id is a request like any other.
    lines.fromClient(line({ id: 0, method: 'ping' }));
    expect(answers(lines.orphaned('gone')).map((a) => a.id).sort()).toEqual([0, 1]);
    const once = new LineTracker('probe');
    once.fromClient(line({ id: 'probe', method: 'server/discover', params: {} }));
    expect(once.orphaned('gone')).toBe('');
  });

  it('a request the client was half-way through sending when the daemon died reaches the new daemon whole', () => {
    const lines = new LineTracker();
    const init = line({ id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    const inited = line({ method: 'notifications/initialized' });
    const call = line({ id: 7, method: 'tools/call', params: { name: 'bash', arguments: { command: 'echo é' } } });
    // The daemon dies after the client sent 30 bytes of its call (the cut falls inside "é" for good measure).
    const cut = call.indexOf(Buffer.from('é')) + 1;
    lines.fromClient(Buffer.concat([init, inited, call.subarray(0, cut)]));
    lines.orphaned('gone');
    const replayed = lines.replay();
    expect(JSON.parse(replayed[0].toString())).toMatchObject({ method: 'initialize', id: 'bgbash-front-end-replay' });
    expect(replayed[1].toString()).toBe(inited.toString());
    // What the new daemon gets: the start it missed, then the rest as the client sends it.
    expect(JSON.parse(Buffer.concat([replayed[2], call.subarray(cut)]).toString())).toMatchObject({ id: 7, params: { arguments: { command: 'echo é' } } });
  });
});
