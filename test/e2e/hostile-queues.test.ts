/**
 * Every queue a client can fill has a bound and a clear refusal past it
 * (issue 26 items 3, 6, 9): input sent to a task that does not read it (in
 * the server, and in the spawner for pty: false), answers to a client that
 * does not read its stdout, events to a control-socket subscriber that does
 * not read them. Memory is read with ps; it stays bounded and comes back.
 */
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ps } from '../helpers/procs.js';
import { rssMb, serveRaw, type RawServer } from '../helpers/raw-rpc.js';
import { waitFor } from '../helpers/wait.js';

const MiB = 1024 * 1024;

function spawnerOf(server: number): number | undefined {
  return ps().find((r) => r.ppid === server && r.args.includes('spawner-process'))?.pid;
}

let nextId = 1000;
async function flood(s: RawServer, task: string, calls: number, text = 'x'.repeat(MiB)): Promise<{ sent: number; refusals: string[] }> {
  let sent = 0;
  const refusals: string[] = [];
  for (let i = 0; i < calls; i++) {
    const r = await s.call(nextId++, 'task_input', { task_id: task, text });
    if (r.result.isError) refusals.push(r.result.content[0].text);
    else sent++;
  }
  return { sent, refusals };
}

describe('input to a task that does not read it', () => {
  for (const pty of [true, false]) {
    it(`is refused past 4 MiB, saying how much waits, and memory stays bounded (pty: ${pty})`, async () => {
      const s = serveRaw();
      await s.initialize();
      // A terminal without echo and line editing: what the task does not read stays in it (4 KiB), the rest waits here.
      const task = (await s.call(1, 'bash', { command: pty ? 'stty -echo -icanon; sleep 600' : 'sleep 600', background: true, pty })).result.structuredContent.task_id;
      await waitFor(async () => (await s.call(Date.now(), 'task_status', { task_id: task })).result.structuredContent.task.state === 'running', 'the task to run');
      const spawner = await waitFor(() => spawnerOf(s.owner()), 'the spawner');
      const before = { server: s.rssMb(), spawner: rssMb(spawner) };
      // 120 MB offered; before the bound every call said "Sent" and the server (or, with pipes, the spawner) kept it all.
      const { sent, refusals } = await flood(s, task, 120);
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThanOrEqual(5);
      expect(refusals[0]).toMatch(new RegExp(`^Error: task ${task} is not reading its input fast enough: [\\d.]+ MiB sent to it earlier is still waiting to be read, and bgbash holds at most 4\\.0 MiB of unread input per task, so these 1\\.0 MiB were not sent\\.`));
      const after = { server: s.rssMb(), spawner: rssMb(spawner) };
      expect(after.server - before.server, `server RSS ${before.server} -> ${after.server} MB`).toBeLessThan(100);
      expect(after.spawner - before.spawner, `spawner RSS ${before.spawner} -> ${after.spawner} MB`).toBeLessThan(30);
      // It reads again once the task is gone and another takes input.
      await s.call(2, 'task_cancel', { task_id: task });
      const cat = (await s.call(3, 'bash', { command: 'cat >/dev/null', background: true, pty })).result.structuredContent.task_id;
      await waitFor(async () => (await s.call(Date.now(), 'task_status', { task_id: cat })).result.structuredContent.task.state === 'running', 'cat to run');
      // A terminal takes input at its own pace (a 4 KiB line buffer): 512 KiB of lines; pipes take 8 MiB.
      expect((await flood(s, cat, 8, pty ? `${'y'.repeat(99)}\n`.repeat(655) : undefined)).refusals).toEqual([]);
      await s.stop();
    }, 180_000);
  }
});

describe('a client that does not read its stdout', () => {
  it('gets answers up to 64 MiB unread, then short errors in their place, and every request answered once it reads', async () => {
    const s = serveRaw();
    await s.initialize();
    const made = await s.call(1, 'bash', { command: "head -c 1048576 /dev/zero | tr '\\0' a", pty: false });
    const task = made.result.structuredContent.task_id;
    s.stopReading();
    // 120 MiB of answers, past the 64 MiB bound.
    const n = 60;
    // ~2 MiB each (the text and structuredContent both carry the output).
    for (let i = 0; i < n; i++) s.send({ id: 100 + i, method: 'tools/call', params: { name: 'task_output', arguments: { task_id: task, since: 0, max_bytes: MiB } } });
    await waitFor(() => /the client has not read [\d.]+ MiB of answers; until it reads, answers are replaced by an error/.test(s.stderr()), 'the server to withhold answers', 120_000);
    s.startReading();
    for (let i = 0; i < n; i++) await s.answer(100 + i, 120_000);
    const answers = s.lines.filter((l) => typeof l.id === 'number' && l.id >= 100);
    const withheld = answers.filter((a) => a.error);
    expect(answers.length - withheld.length).toBeGreaterThanOrEqual(25);
    expect(withheld.length).toBeGreaterThan(0);
    expect(withheld[0].error).toMatchObject({ code: -32000, data: { limit_bytes: 64 * MiB } });
    expect(withheld[0].error.message).toMatch(/^The answer( \([\d.]+ MiB\))? was not sent: the client has not read [\d.]+ MiB of earlier answers, over bgbash's limit of 64\.0 MiB unread\. Read the server's output, then ask again\./);
    // Reading it resumed: later requests are answered in full.
    expect((await s.call(2, 'task_status', { task_id: task })).result.structuredContent.task.state).toBe('done');
    await s.stop();
  }, 180_000);

  it('1,000 calls at once are all answered, and nothing warns of a listener leak', async () => {
    const s = serveRaw();
    await s.initialize();
    s.stopReading();
    let burst = '';
    for (let i = 0; i < 1000; i++) burst += JSON.stringify({ jsonrpc: '2.0', id: 5000 + i, method: 'tools/call', params: { name: 'task_list', arguments: {} } }) + '\n';
    s.write(burst);
    await waitFor(() => s.child.stdout.readableLength > 0, 'answers to pile up');
    s.startReading();
    for (let i = 0; i < 1000; i++) await s.answer(5000 + i, 60_000);
    expect(s.stderr()).not.toMatch(/MaxListenersExceededWarning/);
    await s.stop();
  });
});

describe('a control-socket subscriber that does not read', () => {
  it('is dropped with the reason once 8 MiB of events wait for it, and the server does not grow', async () => {
    const s = serveRaw();
    await s.initialize();
    // The session's own control socket (its servers/<id>.json names it).
    const info = await waitFor(() => {
      const dir = path.join(s.dataDir, 'servers');
      const entries = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
      return entries.find((e) => e.socket && e.role !== 'daemon');
    }, 'the control socket');
    const subscribers = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ sock: net.Socket; got: () => string }>((resolve) => {
            const sock = net.connect(info.socket, () => {
              sock.write(JSON.stringify({ id: 1, verb: 'subscribe', args: { output_of: ['*'] } }) + '\n');
              let got = '';
              sock.once('data', (d) => {
                got += d.toString();
                // From here on it reads nothing.
                sock.pause();
                resolve({ sock, got: () => got });
              });
            });
          }),
      ),
    );
    const before = s.rssMb();
    const loud = await s.call(2, 'bash', { command: "head -c 40000000 /dev/zero | tr '\\0' a", pty: false });
    expect(loud.result.structuredContent.state).toBe('done');
    const during = s.rssMb();
    expect(during - before, `server RSS ${before} -> ${during} MB`).toBeLessThan(80);
    for (const sub of subscribers) {
      let text = '';
      sub.sock.on('data', (d) => (text += d.toString()));
      const closed = new Promise((r) => sub.sock.once('close', r));
      sub.sock.resume();
      await closed;
      const last = JSON.parse(text.trim().split('\n').pop()!);
      expect(last.event).toBe('dropped');
      expect(last.reason).toMatch(/^this connection had [\d.]+ MiB of events it had not read, over the 8\.0 MiB a subscriber may fall behind; its subscription ended/);
    }
    await s.stop();
  });
});

describe('a terminal whose output is stopped', () => {
  it('does not stall the server when its task ends (Ctrl+S, then the task is cancelled)', async () => {
    const s = serveRaw();
    await s.initialize();
    const task = (await s.call(1, 'bash', { command: 'sleep 600', background: true })).result.structuredContent.task_id;
    await waitFor(async () => (await s.call(Date.now(), 'task_status', { task_id: task })).result.structuredContent.task.state === 'running', 'the task to run');
    // XOFF: the terminal holds all output, the end-of-output marker bgbash writes when the task exits too.
    expect((await s.call(2, 'task_input', { task_id: task, text: '\u0013' })).result.isError).toBeFalsy();
    await s.call(3, 'task_cancel', { task_id: task });
    s.send({ id: 4, method: 'ping' });
    expect((await s.answer(4, 10_000)).result).toEqual({});
    expect((await s.call(5, 'task_status', { task_id: task, wait: 10 })).result.structuredContent.task.state).toBe('cancelled');
    await s.stop();
  });
});
