/**
 * What a client writes can never stop the server (issue 26 items 1 and 8,
 * issue 21 item 5): a line over the message limit is answered with an error
 * naming the limit and the next request is served; malformed JSON-RPC gets
 * -32700/-32600 with id null when the id cannot be told; every request read
 * before the end of input is answered; the end of input still shuts the
 * server down in order (no task process left, its servers/ entry removed).
 * Raw JSON-RPC lines written to the built `bgbash serve`, processes seen with ps.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ps, withArgs } from '../helpers/procs.js';
import { serveRaw } from '../helpers/raw-rpc.js';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const MiB = 1024 * 1024;

describe('a message over the size limit', () => {
  it('is answered with an error naming the limit, the next request is served, and end of input still shuts down in order', async () => {
    const s = serveRaw();
    await s.initialize();
    const mark = crypto.randomUUID();
    const started = await s.call(1, 'bash', { command: `sleep 300; echo ${mark}`, background: true });
    expect(started.result.isError).toBeFalsy();
    const shell = await waitFor(() => withArgs(mark)[0], 'the task shell in ps');
    const tree = [shell.pid, ...(await waitFor(() => ps().filter((r) => r.ppid === shell.pid).map((r) => r.pid), 'its sleep'))];

    // 11 MB of task_input: the SDK's ReadBuffer closed the transport for good on this.
    s.send({ id: 2, method: 'tools/call', params: { name: 'task_input', arguments: { task_id: started.result.structuredContent.task_id, text: 'x'.repeat(11 * MiB) } } });
    const refused = await s.answer(2);
    expect(refused.error.code).toBe(-32600);
    expect(refused.error.message).toMatch(/too large: this tools\/call request is 11\.0 MiB, over bgbash's limit of 8\.0 MiB per JSON-RPC message \(8388608 bytes\)/);
    expect(refused.error.data).toEqual({ size_bytes: expect.any(Number), limit_bytes: 8 * MiB });

    // A bash command in a big heredoc, id last (as SDK v1 clients write it): found all the same.
    s.write(`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"bash","arguments":{"command":"cat <<'EOF'\\n${'y'.repeat(9 * MiB)}\\nEOF"}},"id":3}\n`);
    expect((await s.answer(3)).error.message).toMatch(/limit of 8\.0 MiB/);

    s.send({ id: 4, method: 'ping' });
    expect((await s.answer(4)).result).toEqual({});
    expect(s.stderr()).toMatch(/refused a 11\.0 MiB tools\/call request \(id 2\)/);

    const daemon = s.owner();
    expect(await s.stop()).toBe(0);
    // The session's tasks end with it; its daemon, with no session and no task left, exits in order (BGBASH_DAEMON_IDLE_EXIT=0).
    await waitFor(() => ps().filter((r) => tree.includes(r.pid) || r.pid === daemon).length === 0, 'the task and the daemon to be gone');
    expect(fs.readdirSync(path.join(s.dataDir, 'servers'))).toEqual([]);
  });

  it('a command over 128 KiB and task_input text over 1 MiB are tool errors that say what to do, and the schemas say so', async () => {
    const s = serveRaw();
    await s.initialize();
    s.send({ id: 1, method: 'tools/list' });
    const tools = (await s.answer(1)).result.tools as Array<{ name: string; inputSchema: any }>;
    const prop = (tool: string, name: string): string => tools.find((t) => t.name === tool)!.inputSchema.properties[name].description;
    expect(prop('bash', 'command')).toMatch(/124 KiB/);
    expect(prop('bg_submit', 'command')).toMatch(/124 KiB/);
    expect(prop('task_input', 'text')).toMatch(/1 MiB/);

    const big = await s.call(2, 'bash', { command: `echo ${'é'.repeat(70_000)}` });
    expect(big.result.isError).toBe(true);
    expect(big.result.content[0].text).toMatch(/command: 140005 bytes is over the 126976-byte limit of a command .*write the script to a file and run the file/);
    const queued = await s.call(3, 'bg_submit', { command: 'x'.repeat(200_000) });
    expect(queued.result.content[0].text).toMatch(/200000 bytes is over the 126976-byte limit/);

    // A command of exactly the limit runs: what the backend adds to the same argument fits beside it.
    const longest = `: ${'x'.repeat(126976 - 11)}; echo ok`;
    expect(Buffer.byteLength(longest)).toBe(126976);
    expect((await s.call(6, 'bash', { command: longest })).result.structuredContent.output).toBe('ok');
    const task = (await s.call(4, 'bash', { command: 'sleep 60', background: true })).result.structuredContent.task_id;
    const text = await s.call(5, 'task_input', { task_id: task, text: 'z'.repeat(MiB + 1) });
    expect(text.result.content[0].text).toMatch(/text: at most 1 MiB \(1048576 characters\) per call: send longer input in parts/);
    await s.stop();
  });
});

describe('malformed JSON-RPC', () => {
  it('gets the JSON-RPC error for it, with id null when the id cannot be told, and the server goes on', async () => {
    const s = serveRaw();
    await s.initialize();
    const bad = [
      '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
      '{"jsonrpc":"2.0","id":1e400,"method":"ping"}',
      '[{"jsonrpc":"2.0","id":3,"method":"ping"}]',
      '{"jsonrpc":"2.0","id":4,"meth',
      'not json at all',
      '{"jsonrpc":"2.0","method":7}',
    ];
    for (const line of bad) s.write(line + '\n');
    // A request whose id is fine but whose shape is not: answered with its own id.
    s.write('{"jsonrpc":"1.0","id":"old","method":"ping"}\n');
    s.write('{"jsonrpc":"2.0","id":"extra","method":"ping","bogus":true}\n');
    s.send({ id: 'after', method: 'ping' });
    expect((await s.answer('after')).result).toEqual({});
    const nulls = s.lines.filter((l) => l.id === null);
    expect(nulls.map((l) => l.error.code)).toEqual([-32600, -32600, -32600, -32700, -32700, -32600]);
    expect(nulls[0].error.message).toMatch(/"id" must be a string or an integer, got an object/);
    expect(nulls[1].error.message).toMatch(/"id" must be a string or an integer, got a number too large/);
    expect(nulls[2].error.message).toMatch(/batch arrays are not part of MCP/);
    expect(nulls[3].error.message).toMatch(/^Parse error: .*each line must be one whole JSON object/);
    expect(nulls[5].error.message).toMatch(/"method" must be a string, got a number/);
    expect((await s.answer('old')).error).toMatchObject({ code: -32600, message: expect.stringMatching(/"jsonrpc" must be "2\.0"/) });
    expect((await s.answer('extra')).error).toMatchObject({ code: -32600, message: expect.stringMatching(/unexpected member "bogus"/) });
    // One line on stderr per refusal, not a zod dump.
    expect(s.stderr()).not.toMatch(/unrecognized_keys|invalid_union|"path": \[/);
    expect(await s.stop()).toBe(0);
  });
});

describe('the end of input', () => {
  it('comes after every request read before it has been answered (printf … | bgbash serve)', async () => {
    const dir = tempDir();
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'printf', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'bash', arguments: { command: 'echo piped-in' } } },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'bash', arguments: { command: 'sleep 120' } } },
    ].map((m) => JSON.stringify(m));
    // The last line has no newline: still a request.
    const input = lines.join('\n') + '\n' + JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' });
    const r = spawnSync(process.execPath, [CLI, 'serve', '--data-dir', dir], { env: baseEnv(), input, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    await waitFor(() => fs.readdirSync(path.join(dir, 'servers')).length === 0, 'the daemon to exit, unregistered');
    const answers = new Map(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.id !== undefined).map((m) => [m.id, m]));
    expect(answers.get(1)?.result.serverInfo.name).toBe('bgbash');
    // Each is answered: with its output, or (the session ended under it: the daemon ends a session's tasks with it) saying so.
    for (const id of [2, 3]) expect(answers.get(id)?.result.content[0].text, `answer ${id}`).toMatch(/piped-in|cancelled: the agent session ended/);
    expect(answers.get(3)?.result.content[0].text).toMatch(/cancelled: the agent session ended/);
    expect(answers.get(4)?.result).toEqual({});
  });

  it('served in one process (--no-daemon): requests read before it run, then the server shuts down in order', () => {
    const dir = tempDir();
    const input = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'printf', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'bash', arguments: { command: 'echo piped-in' } } },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const r = spawnSync(process.execPath, [CLI, 'serve', '--no-daemon', '--data-dir', dir], { env: baseEnv(), input, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const answers = new Map(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.id !== undefined).map((m) => [m.id, m]));
    expect(answers.get(1)?.result.serverInfo.name).toBe('bgbash');
    // It had 2 s after the end of input to finish as asked.
    expect(answers.get(2)?.result.structuredContent).toMatchObject({ state: 'done', output: 'piped-in' });
    expect(fs.readdirSync(path.join(dir, 'servers'))).toEqual([]);
  });
});
