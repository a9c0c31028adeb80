/** Listening ports from the process table (/proc, or lsof with BGBASH_PROCESS_TABLE=ps; never a scan), and the port a failed command's output says is taken. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clashedPort, describeHolder } from '../../src/core/port-clash.js';
import { parseListening, portLooker } from '../../src/run/ports.js';
import { processTable } from '../../src/run/process-table.js';

const { commandLine, listeningPorts, portHolders } = processTable();

let server: http.Server;
let port: number;
let client: net.Socket;
beforeAll(async () => {
  server = http.createServer((_q, r) => r.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // A connected socket is not a listening one: its port must not be reported.
  client = net.connect(port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
});
afterAll(async () => {
  client.destroy();
  await new Promise((r) => server.close(r));
});

describe('listeningPorts', () => {
  it('reports the ports a process listens on, and only those', () => {
    const ports = listeningPorts([process.pid]);
    expect(ports).toContain(port);
    expect(ports).not.toContain(client.localPort);
  });

  it('is empty for a process with no socket and for one that is gone', () => {
    expect(listeningPorts([])).toEqual([]);
    expect(listeningPorts([2 ** 22 + 7])).toEqual([]);
  });

  it('names this process as the holder of its port, with its command line', () => {
    expect(portHolders(port)).toContain(process.pid);
    expect(commandLine(process.pid)).toMatch(/node/);
  });

  it('parses LISTEN rows of /proc/net/tcp and tcp6 and skips the rest', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1435 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1435 0100007F:D2A8 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0 100 0 0 10 0',
      'garbage',
    ].join('\n');
    expect([...parseListening(text)]).toEqual([
      [4242, 5173],
      [4444, 8080],
    ]);
  });
});

describe('portLooker (the same sockets are not looked up twice)', () => {
  it('sees a new listening socket and a closed one at once, and keeps its answer while the sockets stay the same', async () => {
    let clock = 0;
    const look = portLooker(() => clock);
    const first = look([process.pid]);
    expect(first).toContain(port);
    const extra = http.createServer();
    await new Promise<void>((r) => extra.listen(0, '127.0.0.1', r));
    const extraPort = (extra.address() as AddressInfo).port;
    expect(look([process.pid])).toEqual(expect.arrayContaining([port, extraPort]));
    clock += 60_000;
    expect(look([process.pid])).toEqual(expect.arrayContaining([port, extraPort]));
    await new Promise((r) => extra.close(r));
    expect(look([process.pid])).not.toContain(extraPort);
    expect(look([process.pid])).toContain(port);
  });
});

describe('clashedPort', () => {
  it.each([
    ['Node', 'Error: listen EADDRINUSE: address already in use :::5173\n    at Server.setupListenHandle', 5173],
    ['Node on an address', 'Error: listen EADDRINUSE: address already in use 127.0.0.1:3000', 3000],
    ['Go', '2024/01/01 listen tcp :8080: bind: address already in use', 8080],
    ['Go on an address', 'listen tcp 127.0.0.1:9090: bind: address already in use', 9090],
    ['Ruby', 'Address already in use - bind(2) for "0.0.0.0" port 3000 (Errno::EADDRINUSE)', 3000],
    ['Vite', 'error when starting dev server:\nError: Port 5173 is already in use', 5173],
    ['uvicorn', "ERROR:    [Errno 98] error while attempting to bind on address ('127.0.0.1', 8000): address already in use", 8000],
  ])('%s', (_who, output, expected) => {
    expect(clashedPort(output, null)).toBe(expected);
  });

  it('Python names no port: a number in the command that something listens on', () => {
    const out = 'OSError: [Errno 98] Address already in use';
    expect(clashedPort(out, `python3 -m http.server ${port}`)).toBe(port);
    expect(clashedPort(out, 'python3 -m http.server')).toBeNull();
  });

  it('says nothing for output without an address-in-use message', () => {
    expect(clashedPort('Error: Cannot find module ./server.js (port 5173)', 'node server.js 5173')).toBeNull();
  });
});

describe('describeHolder', () => {
  it("prints a foreign process's command line without its escape sequences or controls", async () => {
    // Its argv sets the window title, writes the clipboard and reverses the text when printed raw.
    const hostile = '\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\u202eevil\x9b2J';
    // The script comes on stdin so the hostile argument falls within the 80 characters shown.
    const child = spawn(process.execPath, ['-', hostile], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end("const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));");
    try {
      const held = Number(await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', () => reject(new Error('the listener exited before it listened')));
      }));
      const text = describeHolder(held, { task: () => null });
      expect(text).toMatch(new RegExp(`^port ${held} is held by pid ${child.pid} \\(\`[^\`]*node[^\`]*\`\\), not a bgbash task`));
      expect(text).toContain('evil');
      expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    } finally {
      child.kill();
    }
  });
});
